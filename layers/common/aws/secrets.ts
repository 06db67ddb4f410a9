// Reads a Secrets Manager secret's current value: the database logins and Redis's AUTH token, once per container.
/** The secret's string; the SDK client is loaded on first use only, so functions that read no secret never pay for it. */
export async function readSecretString(secretArn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (SecretString === undefined) throw new Error(`Secret ${secretArn} holds no string`);
    return SecretString;
  } finally {
    client.destroy();
  }
}
