/**
 * One Jottacloud account behind one client (one token source): the backend of each of its mount
 * points, and what lies above them (devices, mount points, whose account it is). serve and the
 * account commands reach the account only through here, so the same failure reads the same
 * everywhere: every failure leaves as a StorageError, translated by backend-errors.ts as the
 * backend's own are.
 */
import { JottacloudBackend } from './backend.js';
import { toStorageError } from './backend-errors.js';
import type { JottacloudClient } from './client.js';

export interface AccountDescription {
  /** Who the account belongs to: the e-mail address, else the user name. */
  user: string;
  /** The subscription, e.g. `unlimited`, when the service names one. */
  plan?: string;
  devices: string[];
}

export interface JottacloudAccountOptions {
  /** true: every remove is permanent, like rclone's --jottacloud-hard-delete. */
  hardDelete?: boolean;
}

export class JottacloudAccount {
  constructor(
    /** The one client: separate ones would each rotate the refresh token behind the others' backs. */
    private readonly client: JottacloudClient,
    private readonly options: JottacloudAccountOptions = {},
  ) {}

  /** The backend of one device and mount point, sharing the account's client. */
  backend(device: string, mountPoint: string): JottacloudBackend {
    return new JottacloudBackend({ client: this.client, device, mountPoint, hardDelete: this.options.hardDelete });
  }

  async devices(): Promise<string[]> {
    return this.edge('devices', async () => (await this.client.user()).devices.map((d) => d.name));
  }

  /** The device's live mount points (a deleted custom one is left out). */
  async mountPoints(device: string): Promise<string[]> {
    return this.edge(`mount points of ${device}`, async () =>
      (await this.client.device(device)).mountPoints.filter((m) => !m.deleted).map((m) => m.name),
    );
  }

  async describe(): Promise<AccountDescription> {
    return this.edge('account', async () => {
      const [user, customer] = await Promise.all([this.client.user(), this.client.customer()]);
      const plan = user.accountType ?? customer.account_type;
      return { user: customer.email ?? user.username, ...(plan ? { plan } : {}), devices: user.devices.map((d) => d.name) };
    });
  }

  /** Stops the token timers; the backends need no closing of their own. */
  close(): void {
    this.client.http.tokens.close();
  }

  private async edge<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStorageError(error, operation);
    }
  }
}
