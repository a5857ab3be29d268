import react from '@vitejs/plugin-react';
import { type Plugin, defineConfig } from 'vite';

/**
 * The page's entry (boot.ts) is tiny and loads the console with import(): a modulepreload link lets the
 * browser fetch and compile the console's script while the boot entry opens the host connection.
 */
function preloadConsole(): Plugin {
  return {
    name: 'runbook-preload-console',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/main.tsx'));
        if (!chunk) return [];
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

// The renderer is plain web code: it reaches the host only through the typed API (see src/renderer/api).
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react(), preloadConsole()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // No inline scripts or styles: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
});
