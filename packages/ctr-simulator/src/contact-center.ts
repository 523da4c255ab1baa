import { FIRST_NAMES, LAST_NAMES, toAsciiUsername } from './names.js';
import { generateSystemPhoneNumber } from './phone-numbers.js';
import type { Random } from './random.js';

export type ChannelName = 'VOICE' | 'CHAT' | 'TASK';

export interface SimulatedQueue {
  readonly arn: string;
  readonly name: string;
  readonly channels: readonly ChannelName[];
}

export interface SimulatedRoutingProfile {
  readonly arn: string;
  readonly name: string;
  readonly channels: readonly ChannelName[];
  readonly outboundQueue: SimulatedQueue;
}

export interface SimulatedHierarchyGroup {
  readonly ARN: string;
  readonly GroupName: string;
}

export interface SimulatedAgent {
  readonly id: string;
  readonly arn: string;
  readonly username: string;
  readonly routingProfile: SimulatedRoutingProfile;
  /** Level1..Level5, unused levels null; or null for agents outside any hierarchy. */
  readonly hierarchyGroups: Readonly<
    Record<'Level1' | 'Level2' | 'Level3' | 'Level4' | 'Level5', SimulatedHierarchyGroup | null>
  > | null;
}

/** The simulated Amazon Connect instance: account, queues, routing profiles, agents, claimed numbers. */
export interface SimulatedContactCenter {
  readonly awsAccountId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly instanceArn: string;
  readonly instanceAlias: string;
  readonly recordingBucket: string;
  readonly queues: readonly SimulatedQueue[];
  readonly routingProfiles: readonly SimulatedRoutingProfile[];
  readonly agents: readonly SimulatedAgent[];
  /** Numbers claimed by the instance (SystemEndpoint of inbound calls, caller ID of outbound calls). */
  readonly systemPhoneNumbers: readonly string[];
}

export function createContactCenter(
  random: Random,
  details: { region: string; agentCount: number },
): SimulatedContactCenter {
  const awsAccountId = `${random.integer(1, 9)}${random.digits(11)}`;
  const instanceId = random.uuid();
  const instanceArn = `arn:aws:connect:${details.region}:${awsAccountId}:instance/${instanceId}`;
  const instanceAlias = random.pick(['ctr-demo', 'acme-care', 'contact-centre', 'support-au']);
  const queue = (name: string, channels: ChannelName[]): SimulatedQueue => ({
    arn: `${instanceArn}/queue/${random.uuid()}`,
    name,
    channels,
  });
  const basic = queue('BasicQueue', ['VOICE', 'CHAT']);
  const sales = queue('Sales', ['VOICE', 'CHAT']);
  const support = queue('Support', ['VOICE', 'CHAT']);
  const billing = queue('Billing', ['VOICE']);
  const chatSupport = queue('Chat Support', ['CHAT']);
  const backOffice = queue('Back Office', ['TASK']);
  const queues = [basic, sales, support, billing, chatSupport, backOffice];

  const profile = (
    name: string,
    channels: ChannelName[],
    outboundQueue: SimulatedQueue,
  ): SimulatedRoutingProfile => ({
    arn: `${instanceArn}/routing-profile/${random.uuid()}`,
    name,
    channels,
    outboundQueue,
  });
  const routingProfiles = [
    profile('Basic Routing Profile', ['VOICE', 'CHAT'], basic),
    profile('Sales Voice', ['VOICE'], sales),
    profile('Support Omnichannel', ['VOICE', 'CHAT', 'TASK'], support),
    profile('Back Office Tasks', ['TASK', 'CHAT'], backOffice),
  ];

  const group = (name: string): SimulatedHierarchyGroup => ({
    ARN: `${instanceArn}/agent-group/${random.uuid()}`,
    GroupName: name,
  });
  const sites = [group('Sydney'), group('Melbourne')];
  const teams = ['Team Harbour', 'Team Bondi', 'Team Yarra', 'Team Southbank'].map(group);

  const agents: SimulatedAgent[] = [];
  const usernames = new Set<string>();
  for (let index = 0; index < details.agentCount; index++) {
    let username = toAsciiUsername(random.pick(FIRST_NAMES), random.pick(LAST_NAMES));
    while (usernames.has(username)) username = `${username}${random.integer(1, 9)}`;
    usernames.add(username);
    const id = random.uuid();
    // Every channel is covered by at least one agent: the first four agents take one profile each.
    const routingProfile =
      index < routingProfiles.length ? routingProfiles[index]! : random.pick(routingProfiles);
    const siteIndex = index % 2;
    agents.push({
      id,
      arn: `${instanceArn}/agent/${id}`,
      username,
      routingProfile,
      hierarchyGroups: random.chance(0.15)
        ? null
        : {
            Level1: sites[siteIndex]!,
            Level2: teams[siteIndex * 2 + random.integer(0, 1)]!,
            Level3: null,
            Level4: null,
            Level5: null,
          },
    });
  }

  return {
    awsAccountId,
    region: details.region,
    instanceId,
    instanceArn,
    instanceAlias,
    recordingBucket: `amazon-connect-${random.hex(12)}`,
    queues,
    routingProfiles,
    agents,
    systemPhoneNumbers: [
      generateSystemPhoneNumber(random),
      generateSystemPhoneNumber(random),
      generateSystemPhoneNumber(random),
    ],
  };
}
