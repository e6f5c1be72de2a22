// Verifies one POST with the signature libraries receivers use, as a receiver in Node.js would.
// stdin: {"secret": "whsec_…", "headers": {"webhook-id": …}, "body": "<the raw body>"}; stdout: each library's verdict.
// A POST with webhook-* headers goes to Svix's and Standard Webhooks' libraries; one with X-Hub-Signature-256 to
// GitHub's (Octokit's), which checks sha256=<hex HMAC-SHA256(secret, body)>. With a whpk_ public key, each v1a
// signature (Ed25519 over id.timestamp.body, Standard Webhooks' asymmetric scheme) goes to Node's crypto (OpenSSL) and
// to TweetNaCl.
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import nacl from "tweetnacl";
import { Webhook as SvixWebhook } from "svix";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { verify as githubVerify } from "@octokit/webhooks-methods";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, headers, body } = JSON.parse(input);
const verdicts = {};
const refused = (error) => "refused: " + (error && error.message ? error.message : "signature does not match");
if (secret.startsWith("whpk_")) {
  const publicKey = Buffer.from(secret.slice("whpk_".length), "base64");
  const signed = Buffer.from(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`, "utf8");
  const signatures = headers["webhook-signature"].split(" ").filter((s) => s.startsWith("v1a,"))
    .map((s) => Buffer.from(s.slice("v1a,".length), "base64"));
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.toString("base64url") }, format: "jwk" });
  const check = (verifies) => {
    try {
      return signatures.some(verifies) ? "verified" : refused();
    } catch (error) {
      return refused(error);
    }
  };
  verdicts["node:crypto"] = check((s) => cryptoVerify(null, signed, key, s));
  verdicts.tweetnacl = check((s) => nacl.sign.detached.verify(signed, s, publicKey));
} else if ("x-hub-signature-256" in headers) {
  try {
    verdicts.octokit = (await githubVerify(secret, body, headers["x-hub-signature-256"])) ? "verified" : refused();
  } catch (error) {
    verdicts.octokit = refused(error);
  }
} else {
  for (const [name, Library] of [["svix", SvixWebhook], ["standardwebhooks", StandardWebhook]]) {
    try {
      new Library(secret).verify(body, headers);
      verdicts[name] = "verified";
    } catch (error) {
      verdicts[name] = refused(error);
    }
  }
}
console.log(JSON.stringify(verdicts));
