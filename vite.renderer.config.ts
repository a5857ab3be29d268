import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is plain web code: it reaches the host only through the typed API (see src/renderer/api).
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // No inline scripts or styles: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
});
