/**
 * The asset API as the portal sees it; records are the server's zod types, imported type-only.
 */
import type { AssetAssignment, AssetState, HardwareClass } from '../../../functions/core/cmdb/asset.ts';
import type { AssetImport, ImportRowError } from '../../../functions/core/cmdb/asset-import.ts';
import type { AssetView } from '../../../functions/core/cmdb/asset-service.ts';
import type { ConfigurationItem } from '../../../functions/core/cmdb/ci.ts';
import { type Api, ApiError, sha256Base64 } from '../shared/api.ts';
import type { Page } from '../shared/types.ts';

export type { AssetAssignment, AssetImport, AssetState, AssetView, ImportRowError };

/** The asset classes (the server's `hardwareClasses`; a renamed one fails the build). */
const hardware: readonly HardwareClass[] = [
  'laptop',
  'desktop',
  'server',
  'mobile_phone',
  'tablet',
  'network_device',
];
export const isHardwareClass = (ciClass: string): boolean =>
  (hardware as readonly string[]).includes(ciClass);

export const assetStateLabels: Record<AssetState, string> = {
  in_stock: 'In stock',
  assigned: 'Assigned',
  in_repair: 'In repair',
  retired: 'Retired',
};

const path = (id: string) => `/assets/${encodeURIComponent(id)}`;

export function assetApi(api: Api) {
  const move = (
    id: string,
    action: 'return' | 'repair' | 'retire',
    body: { version: number; note?: string },
  ) => api.request<ConfigurationItem>(`${path(id)}/${action}`, { method: 'POST', body });
  return {
    get: (id: string) => api.request<AssetView>(path(id)),
    checkOut: (id: string, body: { version: number; person: string; note?: string }) =>
      api.request<ConfigurationItem>(`${path(id)}/check-out`, { method: 'POST', body }),
    move,
    report: (id: string, body: { shortDescription: string; description: string }) =>
      api.request<{ incident: { id: string; number: string }; ci: string }>(
        `/my-devices/${encodeURIComponent(id)}/report`,
        { method: 'POST', body },
      ),
    imports: (cursor?: string) =>
      api.request<Page<AssetImport>>(
        `/asset-imports${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    importJob: (id: string) => api.request<AssetImport>(`/asset-imports/${encodeURIComponent(id)}`),
    importErrors: (id: string, cursor?: string) =>
      api.request<Page<ImportRowError>>(
        `/asset-imports/${encodeURIComponent(id)}/errors${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    /** Opens an import, puts the file straight to S3 through the presigned URL, and starts it. */
    async importFile(file: File): Promise<AssetImport> {
      const { job, upload } = await api.request<{
        job: AssetImport;
        upload: { url: string; headers: Record<string, string> };
      }>('/asset-imports', {
        method: 'POST',
        body: { fileName: file.name, size: file.size, sha256: await sha256Base64(file) },
      });
      let put: Response;
      try {
        put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: file });
      } catch {
        throw new ApiError(0, 'network', `${file.name} could not be uploaded. Try again.`);
      }
      if (!put.ok) throw new ApiError(put.status, 'upload_failed', `${file.name} could not be uploaded.`);
      return api.request<AssetImport>(`/asset-imports/${encodeURIComponent(job.id)}/start`, {
        method: 'POST',
      });
    },
  };
}
