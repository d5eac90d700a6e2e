import { ObserverFleet, type FleetShape, type InfraConfig } from '@obscost/infra';

/**
 * bench:scale's fill: a fleet a host, each with its own producer, filled side by side (acks=all);
 * each host's events Kafka acknowledged.
 */
export async function fillByHost(
  config: InfraConfig,
  topic: string,
  { hosts, ...shape }: FleetShape,
  waves: number,
): Promise<Map<string, number>> {
  const fleets = hosts.map((host) => new ObserverFleet(config, topic, { hosts: [host], ...shape }));
  await Promise.all(fleets.map((fleet) => fleet.fill(waves)));
  return new Map(fleets.flatMap((fleet) => [...fleet.truth]));
}
