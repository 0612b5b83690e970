/**
 * Makes a synthesized template stable for snapshots: asset hashes (64 hex chars)
 * become a fixed marker, and the CDK version metadata (CDKMetadata resource) and
 * bootstrap-version checks are dropped, so snapshots change only when the
 * infrastructure does.
 */
export function normalizeTemplate<T>(template: T): T {
  const text = JSON.stringify(template)
    .replace(/[a-f0-9]{64}/g, '<ASSET_HASH>');
  const parsed = JSON.parse(text);
  if (parsed && typeof parsed === 'object') {
    delete parsed.Resources?.CDKMetadata;
    delete parsed.Conditions?.CDKMetadataAvailable;
    if (parsed.Conditions && Object.keys(parsed.Conditions).length === 0) delete parsed.Conditions;
    delete parsed.Rules?.CheckBootstrapVersion;
    if (parsed.Rules && Object.keys(parsed.Rules).length === 0) delete parsed.Rules;
    delete parsed.Parameters?.BootstrapVersion;
    if (parsed.Parameters && Object.keys(parsed.Parameters).length === 0) delete parsed.Parameters;
  }
  return parsed;
}
