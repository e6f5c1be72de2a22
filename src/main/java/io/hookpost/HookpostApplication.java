package io.hookpost;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class HookpostApplication {
    public static void main(String[] args) {
        SpringApplication.run(HookpostApplication.class, args);
    }
}
