import { defineConfig } from 'vite';

// Everything is bundled: no CDN, no outside fonts or tiles. Hashed files go
// to assets/ (served immutable by beacon); index.html is served no-cache.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
