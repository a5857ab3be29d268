// The settings schema as JSON Schema, in the form conf and electron-store take (`schema` is the root's
// `properties`), so both stores validate on write with the same rules zod applies on read.
import { z } from 'zod';
import { SettingsSchema } from '../../shared/settings.js';

export interface StoreSchemaOptions {
  schema: Record<string, unknown>;
  rootSchema: Record<string, unknown>;
  ajvOptions: Record<string, unknown>;
}

export function storeSchemaOptions(): StoreSchemaOptions {
  const json = z.toJSONSchema(SettingsSchema, { target: 'draft-7', io: 'input' }) as {
    properties: Record<string, unknown>;
    additionalProperties?: boolean;
  };
  // conf adds `properties` itself and rejects it in rootSchema.
  // zod writes `type: ["boolean", "string"]` for unions of primitives, which ajv's strict mode warns about.
  return { schema: json.properties, rootSchema: { additionalProperties: json.additionalProperties ?? false }, ajvOptions: { allowUnionTypes: true } };
}
