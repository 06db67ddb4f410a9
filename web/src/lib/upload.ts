// The presigned upload flow shared by profile pictures and event images: the API signs an S3 POST form, the browser
// posts the file straight to the bucket, then tells the API the object key (which checks the object exists).

export interface UploadForm {
  uploadUrl: string;
  fields: Record<string, string>;
  key: string;
  maxBytes: number;
}

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export function imageTypeOf(file: File): ImageType {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type))
    throw new Error('Please choose a PNG, JPEG or WebP image.');
  return file.type as ImageType;
}

export async function uploadTo(form: UploadForm, file: File): Promise<string> {
  if (file.size > form.maxBytes)
    throw new Error(`The image is too large (at most ${Math.floor(form.maxBytes / 1024 / 1024)} MB).`);
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file);
  // The bucket is another origin. A form POST needs no CORS preflight; with 'no-cors' its answer is opaque, so
  // success is confirmed by the API when the key is attached (it refuses a key with no object behind it).
  await fetch(form.uploadUrl, { method: 'POST', body, mode: 'no-cors' });
  return form.key;
}
