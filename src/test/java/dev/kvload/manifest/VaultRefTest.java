package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VaultRefTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "contoso-dev, https://contoso-dev.vault.azure.net, contoso-dev",
    "Contoso-Dev, https://contoso-dev.vault.azure.net, contoso-dev",
    "abc, https://abc.vault.azure.net, abc",
    "https://contoso.vault.azure.cn, https://contoso.vault.azure.cn, https://contoso.vault.azure.cn",
    "https://contoso.vault.usgovcloudapi.net/, https://contoso.vault.usgovcloudapi.net,"
        + " https://contoso.vault.usgovcloudapi.net",
    "https://127.0.0.1:8443, https://127.0.0.1:8443, https://127.0.0.1:8443",
    "HTTPS://Contoso.Vault.Azure.Net, https://contoso.vault.azure.net, contoso",
  })
  void parses(String text, String url, String shown) {
    VaultRef vault = VaultRef.parse(text);
    assertEquals(url, vault.baseUrl());
    assertEquals(shown, vault.toString());
  }

  @ParameterizedTest(name = "rejects \"{0}\"")
  @CsvSource({
    "ab",
    "a-very-long-vault-name-over-24",
    "1contoso",
    "contoso-",
    "con--toso",
    "con_toso",
    "http://contoso.vault.azure.net",
    "https://contoso.vault.azure.net/secrets/x",
    "https://contoso.vault.azure.net?x=1",
    "https://user@contoso.vault.azure.net",
    "https://",
  })
  void rejects(String text) {
    assertTrue(VaultRef.tryParse(text).isEmpty());
  }

  @ParameterizedTest(name = "{0} with {1}")
  @CsvSource({
    "contoso, '', true",
    "https://contoso.vault.azure.cn, '', true",
    "https://contoso.vault.usgovcloudapi.net:8443, '', true",
    "https://localhost:8443, '', false",
    "https://localhost:8443, localhost, true",
    "https://localhost:8443, localhost:8443, true",
    "https://localhost:8443, localhost:9443, false",
    "https://localhost:8443, other, false",
    "https://vault.azure.net, '', false",
    "https://contoso.vault.azure.net.evil.test, '', false",
    "https://contoso.managedhsm.azure.net, '', false",
  })
  void trustsKeyVaultsDomainsAndTheHostsItIsTold(String vault, String allowed, boolean trusted) {
    Set<String> hosts = allowed.isEmpty() ? Set.of() : Set.of(allowed);
    assertEquals(trusted, VaultRef.parse(vault).trusted(hosts));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "contoso, contoso",
    "https://contoso.vault.azure.cn, contoso",
    "https://localhost:8443, localhost",
  })
  void namesTheVaultAsAzKeyvaultDoes(String vault, String name) {
    assertEquals(name, VaultRef.parse(vault).name());
  }
}
