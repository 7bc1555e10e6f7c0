/** Reads the value of a deployment secret (Secrets Manager on AWS), never kept in a function's configuration. */
export interface SecretReader {
  /** The secret's text value; a typed error when it cannot be had. */
  readSecret(secretId: string): Promise<string>;
}
