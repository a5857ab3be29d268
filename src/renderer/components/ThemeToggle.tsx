// Switches between the light and the dark theme (the system's choice until used).
import type { ThemeName } from '../terminal/terminals.js';

export function ThemeToggle({ theme, onToggle }: { theme: ThemeName; onToggle: () => void }) {
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" className="theme-toggle" onClick={onToggle} aria-label={`Switch to the ${next} theme`} title={`Switch to the ${next} theme`} data-testid="theme-toggle">
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}
