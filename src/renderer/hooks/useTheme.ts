// Light or dark: the system's choice (prefers-color-scheme) until the operator picks one with the toggle.
import { useCallback, useEffect, useState } from 'react';
import type { ThemeName } from '../terminal/terminals.js';

const KEY = 'runbook-console-theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

function stored(): ThemeName | null {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : null;
}

export function useTheme(): { theme: ThemeName; toggle: () => void } {
  const [chosen, setChosen] = useState<ThemeName | null>(stored);
  const [system, setSystem] = useState<ThemeName>(() => (media().matches ? 'dark' : 'light'));

  useEffect(() => {
    const query = media();
    const change = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', change);
    return () => query.removeEventListener('change', change);
  }, []);

  const theme = chosen ?? system;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const toggle = useCallback(() => {
    const next = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    setChosen(next);
  }, [theme]);

  return { theme, toggle };
}
