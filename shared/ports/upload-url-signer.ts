/** A URL the client PUTs the file to, with the headers it must send along, valid until `expiresAt`. */
export interface SignedUpload {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}

export interface UploadUrlRequest {
  key: string;
  contentType: string;
  expiresInSeconds: number;
}

/**
 * Grants one upload of one object key: an S3 presigned PUT on AWS, a URL on the local gateway
 * (`PUT /local-uploads/<key>`) that writes into the folder object store when running locally.
 */
export interface UploadUrlSigner {
  sign(request: UploadUrlRequest): Promise<SignedUpload>;
}
