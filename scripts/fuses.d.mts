/** The part of electron-builder's AfterPackContext the hook reads. */
export interface FusesPackContext {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { executableName: string; appInfo: { productFilename: string } };
}

export type FuseFlip = (executable: string, config: Record<string, unknown>) => Promise<unknown>;

export const FUSES: Readonly<Record<string, boolean>>;
export function packagedExecutable(context: FusesPackContext): string;
export function fuseConfig(context: FusesPackContext): Record<string, unknown>;
export function applyFuses(context: FusesPackContext, flip?: FuseFlip): Promise<void>;
export function afterPack(context: FusesPackContext): Promise<void>;
export default afterPack;
