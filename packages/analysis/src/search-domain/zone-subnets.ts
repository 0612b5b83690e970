import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** The zone of a subnet, or undefined for a subnet imported without one. */
function zoneOf(subnet: ec2.ISubnet): string | undefined {
  try {
    return subnet.availabilityZone;
  } catch {
    return undefined;
  }
}

/** The subnets for a zone-aware domain, or why there are none. */
export type ZoneSubnets = { readonly subnets: ec2.ISubnet[] } | { readonly problem: string };

/**
 * Exactly one subnet in each of the first `zones` Availability Zones of `candidates`, in
 * their order: OpenSearch places one endpoint per zone it uses and rejects a domain whose
 * subnet count differs from its zone count. Every subnet's zone must be known (aws-cdk-lib's
 * OpenSearch L2 needs it too).
 */
export function oneSubnetPerZone(candidates: ec2.ISubnet[], zones: number): ZoneSubnets {
  if (candidates.some((s) => zoneOf(s) === undefined)) {
    return { problem: 'imported without their Availability Zone (import them with ec2.Subnet.fromSubnetAttributes and availabilityZone)' };
  }
  const byZone = new Map<string, ec2.ISubnet>();
  for (const subnet of candidates) {
    const zone = zoneOf(subnet)!;
    if (!byZone.has(zone)) byZone.set(zone, subnet);
  }
  if (byZone.size < zones) return { problem: `in ${byZone.size} zone(s)` };
  return { subnets: [...byZone.values()].slice(0, zones) };
}
