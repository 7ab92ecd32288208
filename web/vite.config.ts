import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The portal builds to web/dist, which CDK uploads to S3 behind CloudFront and the local
 * portal host serves. Assets are never inlined as data: URIs so the strict CSP holds.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
