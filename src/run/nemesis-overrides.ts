import { NEMESIS_FAULT_KINDS } from '../scenario/schema.js';
import { DEFAULT_NEMESIS, minorityOf } from '../scenario/normalize.js';
import type { NemesisFaultKind, NemesisSpec, Scenario } from '../scenario/scenario.js';

/** Nemesis knobs given as flags; each overrides the scenario's `nemesis` block. */
export interface NemesisOverrides {
  /** Turn the default nemesis on for a scenario without one (its own faults are then replaced). */
  readonly enable?: boolean;
  readonly windowMs?: number | undefined;
  readonly quietMs?: number | undefined;
  readonly kinds?: readonly NemesisFaultKind[] | undefined;
  readonly faultsPerSecond?: number | undefined;
  readonly maxDown?: number | undefined;
  readonly swarm?: boolean | undefined;
}

export function hasOverrides(overrides: NemesisOverrides): boolean {
  return Object.values(overrides).some((value) => value !== undefined && value !== false);
}

/**
 * The scenario with the flags applied. A scenario without a nemesis gets one
 * only when asked; its hand-written faults then give way to generated ones,
 * and `until` grows to cover the window and the quiet tail.
 */
export function applyNemesisOverrides(scenario: Scenario, overrides: NemesisOverrides): Scenario {
  if (scenario.nemesis === undefined && !hasOverrides(overrides)) return scenario;
  const base: NemesisSpec = scenario.nemesis ?? {
    windowMs: DEFAULT_NEMESIS.windowMs,
    quietMs: DEFAULT_NEMESIS.quietMs,
    kinds: [...NEMESIS_FAULT_KINDS],
    faultsPerSecond: DEFAULT_NEMESIS.faultsPerSecond,
    maxDown: minorityOf(scenario.nodes.length),
    swarm: DEFAULT_NEMESIS.swarm,
  };
  const nemesis: NemesisSpec = {
    windowMs: overrides.windowMs ?? base.windowMs,
    quietMs: overrides.quietMs ?? base.quietMs,
    kinds: overrides.kinds ?? base.kinds,
    faultsPerSecond: overrides.faultsPerSecond ?? base.faultsPerSecond,
    maxDown: overrides.maxDown ?? base.maxDown,
    swarm: overrides.swarm ?? base.swarm,
  };
  return { ...scenario, nemesis, faults: [], untilMs: Math.max(scenario.untilMs, nemesis.windowMs + nemesis.quietMs) };
}
