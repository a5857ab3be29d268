import { describe, expect, it } from 'vitest';
import { repairMojibake } from '../../src/main/runbook/mojibake.js';

/** What a UTF-8 text looks like after being read as Windows-1252 and saved again. */
function garble(text: string): string {
  const cp1252 = new TextDecoder('windows-1252');
  return cp1252.decode(new TextEncoder().encode(text));
}

describe('mojibake repair', () => {
  it.each(['🟢', '🟡', '🔴', '✅', '⚠️', '→', '— “quoted” ’', 'Café naïve', '日本語'])('restores %s', (original) => {
    const broken = garble(original);
    expect(broken).not.toBe(original);
    expect(repairMojibake(`x ${broken} y`).text).toBe(`x ${original} y`);
  });

  it('restores the forms seen in real files, including a no-break space turned into a plain space', () => {
    expect(repairMojibake('ðŸŸ¡ REGULATED+').text).toBe('🟡 REGULATED+');
    expect(repairMojibake('ðŸ”´ RESTRICTED').text).toBe('🔴 RESTRICTED');
    expect(repairMojibake('âœ… done').text).toBe('✅ done');
    expect(repairMojibake('âš ï¸ careful').text).toBe('⚠️ careful');
    expect(repairMojibake('a â†’ b').text).toBe('a → b');
  });

  it('repairs text that was garbled twice', () => {
    expect(repairMojibake(garble(garble('🟢 STANDARD'))).text).toBe('🟢 STANDARD');
  });

  it('leaves correct text alone, accented words and symbols included', () => {
    for (const text of ['Café', 'naïve façade', 'peak load × 2', 'Ångström', '±5 °C', 'Â', 'ð', 'München → Zürich']) {
      expect(repairMojibake(text)).toEqual({ text, offsets: [] });
    }
  });

  it('reports where it repaired', () => {
    expect(repairMojibake('ok ðŸŸ¢').offsets).toEqual([3]);
  });
});
