import type {
  ChannelName,
  SimulatedAgent,
  SimulatedContactCenter,
  SimulatedQueue,
} from './contact-center.js';
import type { Random } from './random.js';
import type { GeneratedAgent, GeneratedContactTraceRecord, GeneratedEndpoint } from './record-types.js';
import { formatCtrTimestamp } from './timestamps.js';

/** The probabilities that shape each contact (resolved simulation options). */
export interface ContactBehaviour {
  readonly abandonRate: number;
  readonly transferRate: number;
  readonly callbackRate: number;
  readonly outboundShare: number;
  readonly legacyRecordShare: number;
}

export interface CallerChoice {
  readonly phone: string;
}

export interface ContactGeneratorContext {
  readonly random: Random;
  readonly center: SimulatedContactCenter;
  readonly behaviour: ContactBehaviour;
  readonly pickCaller: () => CallerChoice;
}

const INTENTS = [
  'billing',
  'sales',
  'technical-support',
  'account-change',
  'cancellation',
  'general-enquiry',
] as const;

/** Seconds between the end of a contact (disconnect or ACW end) and its first LastUpdateTimestamp (ctr.md §6). */
function publishDelay(random: Random): number {
  return random.integer(30, 95);
}

function endpoint(address: string): GeneratedEndpoint {
  return { Address: address, Type: 'TELEPHONE_NUMBER' };
}

function clampInteger(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(value)));
}

function queueFor(
  random: Random,
  center: SimulatedContactCenter,
  channel: ChannelName,
  intent: string,
): SimulatedQueue {
  const candidates = center.queues.filter((queue) => queue.channels.includes(channel));
  if (channel === 'VOICE') {
    const byIntent = candidates.find(
      (queue) =>
        (intent === 'billing' && queue.name === 'Billing') ||
        (intent === 'sales' && queue.name === 'Sales') ||
        (intent === 'technical-support' && queue.name === 'Support'),
    );
    if (byIntent && random.chance(0.8)) return byIntent;
  }
  return random.pick(candidates);
}

/** The agents that take each channel, per contact center: filtering hundreds of agents per contact was slow. */
const agentsByChannel = new WeakMap<SimulatedContactCenter, Map<ChannelName, readonly SimulatedAgent[]>>();

function agentsFor(center: SimulatedContactCenter, channel: ChannelName): readonly SimulatedAgent[] {
  let byChannel = agentsByChannel.get(center);
  if (byChannel === undefined) {
    byChannel = new Map();
    agentsByChannel.set(center, byChannel);
  }
  let agents = byChannel.get(channel);
  if (agents === undefined) {
    agents = center.agents.filter((agent) => agent.routingProfile.channels.includes(channel));
    byChannel.set(channel, agents);
  }
  return agents;
}

function agentFor(
  random: Random,
  center: SimulatedContactCenter,
  channel: ChannelName,
  except?: SimulatedAgent,
): SimulatedAgent {
  const forChannel = agentsFor(center, channel);
  const candidates = except === undefined ? forChannel : forChannel.filter((agent) => agent !== except);
  return random.pick(candidates.length > 0 ? candidates : center.agents);
}

interface AgentLeg {
  readonly agent: SimulatedAgent;
  readonly connectedAt: number;
  readonly disconnectAt: number;
  readonly afterContactWorkEnd: number;
  readonly record: GeneratedAgent;
}

/** The agent part of a segment: talk time, holds (voice only), after-contact work. */
function agentLeg(
  random: Random,
  channel: ChannelName,
  agent: SimulatedAgent,
  connectedAt: number,
  forcedTalk?: number,
  customerAnswered = true,
): AgentLeg {
  const medianTalk = channel === 'VOICE' ? 240 : channel === 'CHAT' ? 540 : 420;
  const talk = forcedTalk ?? clampInteger(random.logNormal(medianTalk, 0.7), 20, 5400);
  let numberOfHolds = 0;
  let customerHold = 0;
  let longestHold = 0;
  if (channel === 'VOICE' && random.chance(0.3)) {
    numberOfHolds = random.chance(0.7) ? 1 : random.integer(2, 3);
    for (let hold = 0; hold < numberOfHolds; hold++) {
      const duration = clampInteger(random.logNormal(45, 0.8), 5, 600);
      customerHold += duration;
      longestHold = Math.max(longestHold, duration);
    }
    customerHold = Math.min(customerHold, Math.max(0, talk - 10));
    // What the cap on the total left must still be that many holds of 5 s or more, the longest among them:
    // fewer holds when the total is short, the longest no more than the total less the others' minimum.
    numberOfHolds = Math.min(numberOfHolds, Math.floor(customerHold / 5));
    if (numberOfHolds === 0) {
      customerHold = 0;
      longestHold = 0;
    } else {
      longestHold = Math.min(longestHold, customerHold - 5 * (numberOfHolds - 1));
      longestHold = Math.max(longestHold, Math.ceil(customerHold / numberOfHolds));
    }
  }
  // A customer who never answered an outbound call was never on hold (drawn all the same: the seed's later
  // records stay those of every earlier version).
  if (!customerAnswered) {
    numberOfHolds = 0;
    customerHold = 0;
    longestHold = 0;
  }
  const disconnectAt = connectedAt + talk;
  const afterContactWork =
    channel === 'TASK' ? random.integer(0, 60) : clampInteger(random.logNormal(45, 0.8), 5, 900);
  const afterContactWorkEnd = disconnectAt + afterContactWork;
  return {
    agent,
    connectedAt,
    disconnectAt,
    afterContactWorkEnd,
    record: {
      ARN: agent.arn,
      AfterContactWorkDuration: afterContactWork,
      AfterContactWorkEndTimestamp: formatCtrTimestamp(afterContactWorkEnd),
      AfterContactWorkStartTimestamp: formatCtrTimestamp(disconnectAt),
      AgentInteractionDuration: talk - customerHold,
      ConnectedToAgentTimestamp: formatCtrTimestamp(connectedAt),
      CustomerHoldDuration: customerHold,
      HierarchyGroups: agent.hierarchyGroups === null ? null : { ...agent.hierarchyGroups },
      LongestHoldDuration: longestHold,
      NumberOfHolds: numberOfHolds,
      RoutingProfile: { ARN: agent.routingProfile.arn, Name: agent.routingProfile.name },
      Username: agent.username,
    },
  };
}

/**
 * After an external transfer the agent has left (after-contact work began at the transfer): the call ends when the
 * customer or the third party hangs up, not the agent. The reason is drawn all the same, so a seed's other records
 * stay those of every earlier version.
 */
function externalTransferReason<Reason extends string>(
  external: { completedAt: number } | null,
  drawn: Reason,
): Reason | 'THIRD_PARTY_DISCONNECT' {
  return external !== null && drawn === 'AGENT_DISCONNECT' ? 'THIRD_PARTY_DISCONNECT' : drawn;
}

function recordingFields(
  center: SimulatedContactCenter,
  contactId: string,
  connectedAt: number,
): Pick<GeneratedContactTraceRecord, 'Recording' | 'Recordings'> {
  const stamp = formatCtrTimestamp(connectedAt);
  const [date] = stamp.split('T') as [string];
  const [year, month, day] = date.split('-');
  const compact = `${stamp.slice(0, 4)}${stamp.slice(5, 7)}${stamp.slice(8, 10)}T${stamp.slice(11, 16)}`;
  const location = `${center.recordingBucket}/connect/${center.instanceAlias}/CallRecordings/${year}/${month}/${day}/${contactId}_${compact}_UTC.wav`;
  return {
    Recording: { DeletionReason: null, Location: location, Status: 'AVAILABLE', Type: 'AUDIO' },
    Recordings: [
      {
        DeletionReason: null,
        FragmentStartNumber: null,
        FragmentStopNumber: null,
        Location: location,
        MediaStreamType: 'AUDIO',
        ParticipantType: null,
        StartTimestamp: null,
        Status: 'AVAILABLE',
        StopTimestamp: null,
        StorageType: 'S3',
      },
    ],
  };
}

interface SegmentInput {
  contactId: string;
  channel: ChannelName;
  initiationMethod: GeneratedContactTraceRecord['InitiationMethod'];
  initiatedAt: number;
  connectedToSystemAt: number | null;
  customerPhone: string | null;
  systemPhone: string | null;
  queue: {
    queue: SimulatedQueue | { arn: string; name: null };
    enqueuedAt: number;
    dequeuedAt: number;
  } | null;
  agent: AgentLeg | null;
  agentConnectionAttempts: number;
  disconnectAt: number;
  disconnectReason: string | null;
  attributes: Record<string, string>;
  initialContactId: string | null;
  previousContactId: string | null;
  nextContactId: string | null;
  recorded: boolean;
  externalTransfer: { completedAt: number; phone: string } | null;
  scheduledAt: number | null;
  contactDetails: Record<string, string>;
  legacy: boolean;
}

function buildRecord(context: ContactGeneratorContext, input: SegmentInput): GeneratedContactTraceRecord {
  const { center, random } = context;
  const endedAt = Math.max(input.disconnectAt, input.agent?.afterContactWorkEnd ?? 0);
  const record: GeneratedContactTraceRecord = {
    AWSAccountId: center.awsAccountId,
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    Agent: input.agent?.record ?? null,
    AgentConnectionAttempts: input.agentConnectionAttempts,
    AnsweringMachineDetectionStatus: null,
    Attributes: { ...input.attributes },
    Campaign: { CampaignId: null },
    Channel: input.channel,
    ConnectedToSystemTimestamp:
      input.connectedToSystemAt === null ? null : formatCtrTimestamp(input.connectedToSystemAt),
    ContactDetails: { ...input.contactDetails },
    ContactId: input.contactId,
    CustomerEndpoint: input.customerPhone === null ? null : endpoint(input.customerPhone),
    DisconnectReason: input.disconnectReason,
    DisconnectTimestamp: formatCtrTimestamp(input.disconnectAt),
    InitialContactId: input.initialContactId,
    InitiationMethod: input.initiationMethod,
    InitiationTimestamp: formatCtrTimestamp(input.initiatedAt),
    InstanceARN: center.instanceArn,
    LastUpdateTimestamp: formatCtrTimestamp(endedAt + publishDelay(random)),
    MediaStreams:
      input.channel === 'VOICE' ? [{ Type: 'AUDIO' }] : input.channel === 'CHAT' ? [{ Type: 'CHAT' }] : [],
    NextContactId: input.nextContactId,
    PreviousContactId: input.previousContactId,
    Queue:
      input.queue === null
        ? null
        : {
            ARN: input.queue.queue.arn,
            DequeueTimestamp: formatCtrTimestamp(input.queue.dequeuedAt),
            Duration: input.queue.dequeuedAt - input.queue.enqueuedAt,
            EnqueueTimestamp: formatCtrTimestamp(input.queue.enqueuedAt),
            Name: input.queue.queue.name,
          },
    Recording: null,
    Recordings: null,
    References: [],
    ScheduledTimestamp: input.scheduledAt === null ? null : formatCtrTimestamp(input.scheduledAt),
    SystemEndpoint: input.systemPhone === null ? null : endpoint(input.systemPhone),
    TransferCompletedTimestamp:
      input.externalTransfer === null ? null : formatCtrTimestamp(input.externalTransfer.completedAt),
    TransferredToEndpoint: input.externalTransfer === null ? null : endpoint(input.externalTransfer.phone),
    VoiceIdResult: null,
  };
  if (input.recorded && input.agent !== null) {
    Object.assign(record, recordingFields(center, input.contactId, input.agent.connectedAt));
  }
  if (input.legacy) {
    // The 2018 record shape (tutorial sample): fields added to the data model later are absent.
    delete record.AnsweringMachineDetectionStatus;
    delete record.Campaign;
    delete record.ContactDetails;
    delete record.DisconnectReason;
    delete record.References;
    delete record.ScheduledTimestamp;
    delete record.VoiceIdResult;
  }
  return record;
}

function baseAttributes(random: Random, channel: ChannelName, intent: string): Record<string, string> {
  const attributes: Record<string, string> = { intent };
  if (channel === 'VOICE') {
    attributes.greetingPlayed = 'true';
    attributes.language = random.chance(0.92) ? 'en-AU' : random.pick(['zh-CN', 'vi-VN', 'ar-AE', 'el-GR']);
  }
  if (channel === 'CHAT') attributes.chatEntryPoint = random.pick(['website', 'mobile-app', 'help-centre']);
  if (random.chance(0.35)) attributes.customerTier = random.pick(['standard', 'silver', 'gold']);
  return attributes;
}

/** A queue wait in seconds, longer at busy times. */
function queueWait(random: Random, channel: ChannelName, busy: boolean): number {
  const mean = channel === 'TASK' ? 600 : busy ? 75 : 25;
  return clampInteger(random.exponential(mean), 0, channel === 'TASK' ? 14_400 : 1800);
}

/**
 * Generates the contact trace records (one per segment) of one customer contact arriving at
 * `arrivalAt` (epoch seconds): an inbound call with possible abandon, callback, transfer, external
 * transfer; an agent-initiated outbound call; a chat; or a task.
 */
export function generateContact(
  context: ContactGeneratorContext,
  channel: ChannelName,
  arrivalAt: number,
  details: { busy: boolean; outboundAllowed: boolean },
): GeneratedContactTraceRecord[] {
  const { random, center, behaviour } = context;
  const intent = random.pick(INTENTS);
  const contactId = random.uuid();
  const attributes = baseAttributes(random, channel, intent);
  const legacy = channel === 'VOICE' && random.chance(behaviour.legacyRecordShare);

  if (channel === 'VOICE' && details.outboundAllowed && random.chance(behaviour.outboundShare)) {
    // Agent-initiated outbound call: the agent's outbound queue, customer answers after ringing (or not).
    const agent = agentFor(random, center, 'VOICE');
    const answered = random.chance(0.8);
    const ring = random.integer(6, 28);
    const leg = agentLeg(random, 'VOICE', agent, arrivalAt, answered ? undefined : ring, answered);
    const phone = context.pickCaller().phone;
    return [
      buildRecord(context, {
        contactId,
        channel,
        initiationMethod: 'OUTBOUND',
        initiatedAt: arrivalAt,
        connectedToSystemAt: answered ? arrivalAt + ring : null,
        customerPhone: phone,
        systemPhone: random.pick(center.systemPhoneNumbers),
        queue: { queue: agent.routingProfile.outboundQueue, enqueuedAt: arrivalAt, dequeuedAt: arrivalAt },
        agent: leg,
        agentConnectionAttempts: 1,
        disconnectAt: leg.disconnectAt,
        disconnectReason: answered
          ? random.pick(['AGENT_DISCONNECT', 'CUSTOMER_DISCONNECT'])
          : 'AGENT_DISCONNECT',
        attributes: { intent: 'outbound-follow-up' },
        initialContactId: null,
        previousContactId: null,
        nextContactId: null,
        recorded: answered && random.chance(0.9),
        externalTransfer: null,
        scheduledAt: null,
        contactDetails: {},
        legacy,
      }),
    ];
  }

  const customerPhone = channel === 'VOICE' ? context.pickCaller().phone : null;
  const systemPhone = channel === 'VOICE' ? random.pick(center.systemPhoneNumbers) : null;
  const initiationMethod = channel === 'VOICE' ? 'INBOUND' : 'API';
  const scheduledAt =
    channel === 'TASK' && random.chance(0.2) ? arrivalAt + random.integer(30, 180) * 60 : null;
  const contactDetails: Record<string, string> =
    channel === 'TASK'
      ? { Description: `Follow up ${intent.replace('-', ' ')} request`, Name: `Follow-up: ${intent}` }
      : {};
  const flowTime = channel === 'TASK' ? random.integer(0, 3) : random.integer(12, 95);
  const common = {
    contactId,
    channel,
    initiationMethod,
    initiatedAt: arrivalAt,
    connectedToSystemAt: arrivalAt,
    customerPhone,
    systemPhone,
    attributes,
    initialContactId: null,
    previousContactId: null,
    recorded: false,
    externalTransfer: null,
    scheduledAt,
    contactDetails,
    legacy,
  } as const;

  // Self-service: a share of voice calls end in the IVR without queueing (Queue null, Agent null).
  if (channel === 'VOICE' && random.chance(0.06)) {
    return [
      buildRecord(context, {
        ...common,
        queue: null,
        agent: null,
        agentConnectionAttempts: 0,
        disconnectAt: arrivalAt + flowTime + random.integer(10, 120),
        disconnectReason: random.chance(0.6) ? 'CONTACT_FLOW_DISCONNECT' : 'CUSTOMER_DISCONNECT',
        nextContactId: null,
      }),
    ];
  }

  const queue = queueFor(random, center, channel, intent);
  const enqueuedAt = (scheduledAt ?? arrivalAt) + flowTime;
  const wait = queueWait(random, channel, details.busy);

  // Task expired in queue (no agent accepted it in time).
  if (channel === 'TASK' && random.chance(0.02)) {
    const expiredAt = enqueuedAt + random.integer(3600, 14_400);
    return [
      buildRecord(context, {
        ...common,
        queue: { queue, enqueuedAt, dequeuedAt: expiredAt },
        agent: null,
        agentConnectionAttempts: random.integer(0, 2),
        disconnectAt: expiredAt,
        disconnectReason: 'EXPIRED',
        nextContactId: null,
      }),
    ];
  }

  // Callback: the caller leaves the queue and asks to be called back (a second contact, CALLBACK).
  if (channel === 'VOICE' && random.chance(behaviour.callbackRate)) {
    const callbackId = random.uuid();
    const leftQueueAt = enqueuedAt + random.integer(60, 400);
    const callbackStarts = leftQueueAt + random.integer(300, 2400);
    const agent = agentFor(random, center, 'VOICE');
    const leg = agentLeg(random, 'VOICE', agent, callbackStarts);
    const inbound = buildRecord(context, {
      ...common,
      queue: { queue, enqueuedAt, dequeuedAt: leftQueueAt },
      agent: null,
      agentConnectionAttempts: 0,
      disconnectAt: leftQueueAt + random.integer(10, 30),
      disconnectReason: 'CONTACT_FLOW_DISCONNECT',
      nextContactId: callbackId,
    });
    const callback = buildRecord(context, {
      ...common,
      contactId: callbackId,
      initiationMethod: 'CALLBACK',
      initiatedAt: leftQueueAt,
      connectedToSystemAt: callbackStarts + random.integer(5, 20),
      systemPhone: null,
      queue: { queue, enqueuedAt: leftQueueAt, dequeuedAt: callbackStarts },
      agent: leg,
      agentConnectionAttempts: 1,
      disconnectAt: leg.disconnectAt,
      disconnectReason: random.pick(['AGENT_DISCONNECT', 'CUSTOMER_DISCONNECT']),
      attributes: { ...attributes, callbackRequested: 'true' },
      initialContactId: contactId,
      previousContactId: contactId,
      nextContactId: null,
      recorded: random.chance(0.9),
    });
    return [inbound, callback];
  }

  // Abandoned: enqueued, the customer hangs up before an agent connects (ctr.md §1.11).
  if (channel !== 'TASK' && random.chance(behaviour.abandonRate)) {
    const patience = clampInteger(random.exponential(channel === 'CHAT' ? 120 : 70), 3, 1800);
    return [
      buildRecord(context, {
        ...common,
        queue: { queue, enqueuedAt, dequeuedAt: enqueuedAt + patience },
        agent: null,
        agentConnectionAttempts: random.chance(0.2) ? 1 : 0,
        disconnectAt: enqueuedAt + patience,
        disconnectReason: 'CUSTOMER_DISCONNECT',
        nextContactId: null,
      }),
    ];
  }

  // Handled by an agent, possibly after one missed offer.
  const attempts = random.chance(0.08) ? 2 : 1;
  const connectedAt = enqueuedAt + wait + random.integer(1, 4);
  const agent = agentFor(random, center, channel);
  const leg = agentLeg(random, channel, agent, connectedAt);
  const recorded = channel === 'VOICE' && random.chance(0.85);

  if (channel !== 'TASK' && random.chance(behaviour.transferRate)) {
    // Quick-connect transfer: the first agent hands over; a new contact (TRANSFER) is created.
    const transferId = random.uuid();
    const transferAt = connectedAt + clampInteger(random.logNormal(120, 0.6), 20, 1200);
    const firstLeg = agentLeg(random, channel, agent, connectedAt, transferAt - connectedAt);
    const toAgentQueue = random.chance(0.3);
    const secondAgent = agentFor(random, center, channel, agent);
    const secondQueue = toAgentQueue
      ? { arn: `${center.instanceArn}/queue/agent/${secondAgent.id}`, name: null }
      : queueFor(random, center, channel, random.pick(INTENTS));
    const secondWait = clampInteger(random.exponential(toAgentQueue ? 8 : 40), 0, 900);
    const secondConnectedAt = transferAt + secondWait + random.integer(1, 3);
    const secondLeg = agentLeg(random, channel, secondAgent, secondConnectedAt);
    const first = buildRecord(context, {
      ...common,
      queue: { queue, enqueuedAt, dequeuedAt: enqueuedAt + wait },
      agent: firstLeg,
      agentConnectionAttempts: attempts,
      disconnectAt: transferAt,
      disconnectReason: null,
      nextContactId: transferId,
      recorded,
    });
    const second = buildRecord(context, {
      ...common,
      contactId: transferId,
      initiationMethod: 'TRANSFER',
      initiatedAt: transferAt,
      connectedToSystemAt: transferAt,
      queue: { queue: secondQueue, enqueuedAt: transferAt, dequeuedAt: transferAt + secondWait },
      agent: secondLeg,
      agentConnectionAttempts: 1,
      disconnectAt: secondLeg.disconnectAt,
      disconnectReason: random.pick(['AGENT_DISCONNECT', 'CUSTOMER_DISCONNECT']),
      attributes: { ...attributes, transferredFrom: queue.name },
      initialContactId: contactId,
      previousContactId: contactId,
      nextContactId: null,
      recorded: channel === 'VOICE' && random.chance(0.85),
    });
    return [first, second];
  }

  // External transfer to a PSTN number: same record, TransferCompletedTimestamp + TransferredToEndpoint (ctr.md §5).
  const external =
    channel === 'VOICE' && random.chance(0.02)
      ? { completedAt: leg.disconnectAt - random.integer(1, 10), phone: `+611300${random.digits(6)}` }
      : null;
  const disconnectAt = external === null ? leg.disconnectAt : leg.disconnectAt + random.integer(60, 1200);
  return [
    buildRecord(context, {
      ...common,
      queue: { queue, enqueuedAt, dequeuedAt: enqueuedAt + wait },
      agent: leg,
      agentConnectionAttempts: attempts,
      disconnectAt,
      disconnectReason: externalTransferReason(
        external,
        channel === 'TASK'
          ? 'AGENT_DISCONNECT'
          : random.weighted({
              CUSTOMER_DISCONNECT: 0.55,
              AGENT_DISCONNECT: 0.4,
              TELECOM_PROBLEM: channel === 'VOICE' ? 0.03 : 0,
              OTHER: 0.02,
            }),
      ),
      nextContactId: null,
      recorded,
      externalTransfer: external,
    }),
  ];
}
