// Verifies one POST with Svix's and Standard Webhooks' own libraries, as a receiver in Node.js would.
// stdin: {"secret": "whsec_…", "headers": {"webhook-id": …}, "body": "<the raw body>"}; stdout: each library's verdict.
import { Webhook as SvixWebhook } from "svix";
import { Webhook as StandardWebhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, headers, body } = JSON.parse(input);
const verdicts = {};
for (const [name, Library] of [["svix", SvixWebhook], ["standardwebhooks", StandardWebhook]]) {
  try {
    new Library(secret).verify(body, headers);
    verdicts[name] = "verified";
  } catch (error) {
    verdicts[name] = "refused: " + error.message;
  }
}
console.log(JSON.stringify(verdicts));
