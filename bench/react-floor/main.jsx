// The least a React page can do here: React 19 renders the same number of steps and elements as the static
// baseline, from data it already has (no connection, no script of the console). bench/renderer.mjs builds it.
import { createRoot } from 'react-dom/client';

const shape = new URLSearchParams(window.location.hash.slice(1));
const steps = Number(shape.get('steps'));
const perStep = Number(shape.get('perStep'));
const words = Array.from({ length: perStep - 3 }, (_, i) => i);

createRoot(document.getElementById('root')).render(
  <main>
    {Array.from({ length: steps }, (_, i) => (
      <article key={i} className="step" data-testid="step">
        <header>
          <span>Step {i}</span>
        </header>
        {words.map((w) => (
          <span key={w}>text of the step</span>
        ))}
      </article>
    ))}
  </main>,
);
