// prod's AWS Backup plan for the service databases: a daily snapshot kept 35 days in a vault encrypted with the data
// key, copied to a vault in a second region (BackupCopyStack) and kept there 35 days too, plus a monthly one kept a
// year. RDS's own automated backups give the point-in-time window; this plan survives the loss of the region and of
// the instance (a deleted instance takes its automated backups with it, not these recovery points).
import { Aws, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge, managedPolicyFinding } from '../nag';
import type { ServiceDatabase } from './service-database';

/** The copy vault's fixed name: the plan names it by ARN, since it lives in another region's stack. */
export const COPY_VAULT_NAME = 'tol-backup-copy';
export const BACKUP_RETENTION = Duration.days(35);

export interface DatabaseBackupProps {
  databases: readonly ServiceDatabase[];
  key: kms.IKey;
  copyRegion: string;
}

export class DatabaseBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const copyVault = backup.BackupVault.fromBackupVaultArn(
      this,
      'CopyVault',
      `arn:${Aws.PARTITION}:backup:${props.copyRegion}:${Aws.ACCOUNT_ID}:backup-vault:${COPY_VAULT_NAME}`,
    );
    this.plan = new backup.BackupPlan(this, 'Plan', { backupVault: this.vault });
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ hour: '4', minute: '0' }),
        deleteAfter: BACKUP_RETENTION,
        copyActions: [{ destinationBackupVault: copyVault, deleteAfter: BACKUP_RETENTION }],
      }),
    );
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Monthly',
        scheduleExpression: events.Schedule.cron({ day: '1', hour: '5', minute: '0' }),
        deleteAfter: Duration.days(365),
        copyActions: [{ destinationBackupVault: copyVault, deleteAfter: Duration.days(365) }],
      }),
    );
    const selection = this.plan.addSelection('Databases', {
      resources: props.databases.map((database) =>
        backup.BackupResource.fromRdsDatabaseInstance(database.instance),
      ),
    });
    acknowledge(
      selection,
      managedPolicyFinding('service-role/AWSBackupServiceRolePolicyForBackup'),
      'The role AWS Backup assumes to snapshot the selected databases; AWS maintains the exact permissions each ' +
        'supported service needs, and the selection limits which resources it acts on.',
    );
  }
}

export interface BackupCopyStackProps extends StackProps {
  /** Stack env with the copy region; the account stays the deploying one. */
  region: string;
}

/** The vault in the second region that receives the copies, with a key of that region. Deploy before the data stack. */
export class BackupCopyStack extends Stack {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: BackupCopyStackProps) {
    super(scope, id, props);
    const key = new kms.Key(this, 'CopyKey', {
      description: 'Encrypts TicketOrLeaveIt backup copies in the second region',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: COPY_VAULT_NAME,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
