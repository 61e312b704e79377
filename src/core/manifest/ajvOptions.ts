/** ajv options of the manifest validators, shared by the runtime ones and the build-time (standalone) ones: they must be identical. */
export const MANIFEST_AJV_OPTIONS = { allErrors: true, strict: false } as const;

/** Export names of the precompiled manifest validators (valid identifiers) → schema file ids. */
export const PRECOMPILED_MANIFEST: Record<string, string> = {
  pavedV1: 'paved.v1',
  pavedV1alpha1: 'paved.v1alpha1',
  backstageEntity: 'backstage-entity',
  backstageComponent: 'backstage-component',
  backstageApi: 'backstage-api',
  backstageSystem: 'backstage-system',
  backstageDomain: 'backstage-domain',
  backstageResource: 'backstage-resource',
  backstageGroup: 'backstage-group',
  backstageUser: 'backstage-user',
  backstageTemplate: 'backstage-template',
  backstageLocation: 'backstage-location',
};
