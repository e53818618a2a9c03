// The Node.js floor of bench/run.sh: the official SDK as its README shows it, a managed identity
// (App Service's endpoint, from IDENTITY_ENDPOINT and IDENTITY_HEADER) and getSecret for every
// secret at once. Usage: node --require ./node-hosts.cjs node-sdk.mjs VAULT_URL NAME...
// (bench/run.sh copies this next to the SDK it installs with npm.)
import { ManagedIdentityCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

const [vaultUrl, ...names] = process.argv.slice(2);
const client = new SecretClient(vaultUrl, new ManagedIdentityCredential());
const secrets = await Promise.all(names.map((name) => client.getSecret(name)));
if (secrets.length !== names.length || secrets.some((s) => s.value === undefined)) {
  process.exit(1);
}
