import type { AttachmentStorage } from '#ports/attachment-storage.ts';

/** The attachment bucket in memory, for mail tests that only need to see what was stored. */
export function memoryAttachmentStorage(): AttachmentStorage & { readonly files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    put: async (key, content) => void files.set(key, content),
    presignUpload: async () => ({ url: '', headers: {}, expiresAt: '' }),
    presignDownload: async () => ({ url: '', expiresAt: '' }),
    head: async (key) => (files.has(key) ? { size: files.get(key)?.byteLength ?? 0 } : undefined),
  };
}
