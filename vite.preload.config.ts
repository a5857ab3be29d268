import { defineConfig } from 'vite';

// A sandboxed preload can require only `electron`: bundle it into one CommonJS file.
export default defineConfig({
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    minify: false,
    target: 'node22',
    lib: { entry: 'src/preload/index.ts', formats: ['cjs'], fileName: () => 'index.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
