import type { Tagged } from '../protocols/effects.js';
import type { ScheduleStep } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import type { ClusterSnapshot, SimulationOutcome, SimulationSetup, TrafficCounts } from '../sim/simulation.js';
import { unreachable } from '../util/assert.js';
import type { PaxosMessage } from '../protocols/paxos/messages.js';
import type { MultiPaxosMessage } from '../protocols/multipaxos/messages.js';
import { describeMessage, printable } from '../trace/format.js';
import { ExploreModel, type Action, type ExploreState, type StepSink } from './model.js';

/** A pinned step that cannot be taken in the state it meets: bad input, naming the step and its field. */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
  constructor(
    readonly step: number,
    readonly field: string,
    message: string,
  ) {
    super(`schedule[${step}].${field}: ${message}`);
  }
}

const UNBOUNDED = { maxDrops: Infinity, maxDuplicates: Infinity, maxCrashes: Infinity, maxTimerFires: Infinity };

/**
 * `paxsim run` of a scenario with a `schedule`: the explore model driven
 * through exactly the pinned steps, one per virtual ms (step k at t=k), with
 * the simulator's trace events, so the runner's checkers, trace files,
 * timelines and every other tool apply unchanged. Message ids are given in
 * send order, as `paxsim explore` numbered them when it wrote the schedule.
 */
export class ScheduleReplay<Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  private readonly model: ExploreModel;
  private readonly traffic: TrafficCounts = { untracedEvents: 0, sentByType: {}, duplicateDeliveries: 0 };
  private state: ExploreState | null = null;

  constructor(
    private readonly setup: SimulationSetup<Message, StoredRecord, Observation, Request>,
    private readonly schedule: readonly ScheduleStep[],
  ) {
    const clients = new Set(setup.alwaysConnected ?? []);
    this.model = new ExploreModel({
      nodes: setup.nodes,
      crashable: setup.nodes.filter((node) => !clients.has(node)),
      ordered: setup.alwaysConnected ?? [],
      requests: setup.requests.map((request) => ({ node: request.node, request: request.request })),
      factory: setup.protocol as unknown as ExploreModel['setup']['factory'],
      limits: UNBOUNDED,
    });
  }

  get untracedEvents(): number {
    return this.traffic.untracedEvents;
  }

  run(): SimulationOutcome {
    const sink = this.sink();
    let state = this.model.initial(sink);
    this.state = state;
    // As the simulator: a node that threw in start() ends the run before the first step.
    if (this.setup.shouldStop?.()) return this.outcome(0, 0, 'stopped');
    let processedEvents = 0;
    for (let index = 0; index < this.schedule.length; index++) {
      state = this.model.step(state, actionFor(this.model, state, this.schedule[index]!, index), sink);
      this.state = state;
      processedEvents += 1;
      if (this.setup.shouldStop?.()) return this.outcome(state.depth, processedEvents, 'stopped');
    }
    return this.outcome(this.schedule.length, processedEvents, 'quiescent');
  }

  /** The cluster after the last step taken, for debugger views. */
  snapshot(): ClusterSnapshot {
    const state = this.state;
    return {
      timeMs: state?.depth ?? 0,
      nodes: this.setup.nodes.map((id, index) => {
        if (state === null) return { id, status: 'up', durable: null, volatile: null, clockRate: 1 };
        const view = this.model.nodeView(state, index);
        return { id, status: view.up ? 'up' : 'crashed', durable: view.durable, volatile: view.volatile, clockRate: 1 };
      }),
      partition: null,
      cuts: [],
    };
  }

  private outcome(endMs: number, processedEvents: number, stoppedBy: SimulationOutcome['stoppedBy']): SimulationOutcome {
    return { endMs, lastEventMs: endMs, processedEvents, stoppedBy, traffic: this.traffic };
  }

  /** Network events go to the trace when it is traced, and are counted either way, as the simulator does. */
  private sink(): StepSink {
    const traceNetwork = this.setup.traceNetwork !== false;
    const deliveredDuplicates = new Map<number, number>();
    return {
      traceNetwork: true,
      emit: (event: AnyTraceEvent) => {
        switch (event.type) {
          case 'send':
            this.traffic.sentByType[event.msg.type] = (this.traffic.sentByType[event.msg.type] ?? 0) + 1;
            break;
          case 'duplicate':
            deliveredDuplicates.set(event.id, 0);
            break;
          case 'deliver': {
            const copies = deliveredDuplicates.get(event.id);
            if (copies !== undefined) {
              if (copies === 1) this.traffic.duplicateDeliveries += 1;
              deliveredDuplicates.set(event.id, copies + 1);
            }
            break;
          }
          case 'drop':
          case 'timer':
            break;
          default:
            this.setup.emit(event);
            return;
        }
        if (traceNetwork) this.setup.emit(event);
        else this.traffic.untracedEvents += 1;
      },
    };
  }
}

/** The model action a pinned step names, or a ScheduleError saying why it cannot be taken now. */
export function actionFor(model: ExploreModel, state: ExploreState, step: ScheduleStep, index: number): Action {
  const nodes = model.setup.nodes;
  switch (step.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate': {
      const message = state.inFlight.findIndex((entry) => entry.id === step.message);
      if (message < 0) throw new ScheduleError(index, step.kind, `no message ${step.message} is in flight`);
      if (step.kind === 'deliver' && !state.nodes[state.inFlight[message]!.to]!.up) {
        throw new ScheduleError(index, step.kind, `message ${step.message} is for ${nodes[state.inFlight[message]!.to]}, which is down`);
      }
      return { kind: step.kind, message };
    }
    case 'fire': {
      const node = nodeIndex(model, step.node, index, 'fire.node');
      if (!state.nodes[node]!.up || !state.nodes[node]!.timers.includes(step.timer)) {
        throw new ScheduleError(index, 'fire.timer', `${step.node} has no armed timer "${step.timer}"`);
      }
      return { kind: 'fire', node, timer: step.timer };
    }
    case 'crash': {
      const node = nodeIndex(model, step.node, index, 'crash');
      if (!state.nodes[node]!.up) throw new ScheduleError(index, 'crash', `${step.node} is already down`);
      if (!model.setup.crashable.includes(step.node)) throw new ScheduleError(index, 'crash', `${step.node} is a client, which never crashes`);
      return { kind: 'crash', node };
    }
    case 'restart': {
      const node = nodeIndex(model, step.node, index, 'restart');
      if (state.nodes[node]!.up) throw new ScheduleError(index, 'restart', `${step.node} is up`);
      return { kind: 'restart', node };
    }
    case 'request': {
      const node = nodeIndex(model, step.node, index, 'request');
      const request = state.pendingRequests.find((pending) => model.setup.requests[pending]!.node === step.node);
      if (request === undefined) throw new ScheduleError(index, 'request', `${step.node} has no request left`);
      if (!state.nodes[node]!.up) throw new ScheduleError(index, 'request', `${step.node} is down`);
      return { kind: 'request', request };
    }
    default:
      return unreachable(step, 'schedule step');
  }
}

function nodeIndex(model: ExploreModel, node: string, index: number, field: string): number {
  const found = model.setup.nodes.indexOf(node);
  if (found < 0) throw new ScheduleError(index, field, `unknown node "${node}"`);
  return found;
}

/** The pinned steps of a path of model actions from the initial state (message ids as the replay will give them). */
export function scheduleOf(model: ExploreModel, actions: readonly Action[]): ScheduleStep[] {
  return describedSchedule(model, actions).map(({ step }) => step);
}

/** The pinned steps, each with a line for people: `deliver #2 A→B prepare (1,A)`. */
export function describedSchedule(model: ExploreModel, actions: readonly Action[]): { step: ScheduleStep; text: string }[] {
  const quiet: StepSink = { traceNetwork: false, emit: () => undefined };
  let state = model.initial(quiet);
  const steps: { step: ScheduleStep; text: string }[] = [];
  for (const action of actions) {
    const step = stepFor(model, state, action);
    steps.push({ step, text: describeAction(model, state, action, step) });
    state = model.step(state, action, quiet);
  }
  return steps;
}

function describeAction(model: ExploreModel, state: ExploreState, action: Action, step: ScheduleStep): string {
  const nodes = model.setup.nodes;
  switch (action.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate': {
      const message = state.inFlight[action.message]!;
      return `${action.kind} #${message.id} ${printable(nodes[message.from]!)}→${printable(nodes[message.to]!)} ${printable(describeMessage(message.message as PaxosMessage | MultiPaxosMessage))}`;
    }
    case 'fire':
      return `fire timer "${printable(action.timer)}" on ${printable(nodes[action.node]!)}`;
    case 'request':
      return `request to ${printable(model.setup.requests[action.request]!.node)}`;
    default:
      return `${step.kind} ${printable(nodes[action.node]!)}`;
  }
}

function stepFor(model: ExploreModel, state: ExploreState, action: Action): ScheduleStep {
  const nodes = model.setup.nodes;
  switch (action.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return { kind: action.kind, message: state.inFlight[action.message]!.id };
    case 'fire':
      return { kind: 'fire', node: nodes[action.node]!, timer: action.timer };
    case 'crash':
    case 'restart':
      return { kind: action.kind, node: nodes[action.node]! };
    case 'request':
      return { kind: 'request', node: model.setup.requests[action.request]!.node };
    default:
      return unreachable(action, 'explore action');
  }
}
