using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Notifications;
using Nehr.Core.Oversight;
using Nehr.Core.Records;

namespace Nehr.Core.Data;

public sealed class NehrDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public NehrDbContext(DbContextOptions<NehrDbContext> options)
        : base(options)
    {
        // Our transactions are all or nothing: a failed SaveChanges fails the whole transaction, so the savepoint
        // EF would otherwise set before each SaveChanges inside it is never used, and costs a round trip.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<Patient> Patients => Set<Patient>();

    public DbSet<Provider> Providers => Set<Provider>();

    public DbSet<Personnel> Personnel => Set<Personnel>();

    public DbSet<CareRegistration> CareRegistrations => Set<CareRegistration>();

    public DbSet<ClinicalEntry> ClinicalEntries => Set<ClinicalEntry>();

    public DbSet<RestrictionChange> RestrictionChanges => Set<RestrictionChange>();

    public DbSet<EmergencyOverride> EmergencyOverrides => Set<EmergencyOverride>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<SystemConnection> SystemConnections => Set<SystemConnection>();

    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<PatientNotice> PatientNotices => Set<PatientNotice>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<PatientProviderAccess> PatientProviderAccesses => Set<PatientProviderAccess>();

    public DbSet<AccessReport> AccessReports => Set<AccessReport>();

    public DbSet<Directive> Directives => Set<Directive>();

    public DbSet<ContributionBatch> ContributionBatches => Set<ContributionBatch>();

    public DbSet<IdentityMismatch> IdentityMismatches => Set<IdentityMismatch>();

    public DbSet<FormerIdentifier> FormerIdentifiers => Set<FormerIdentifier>();

    public DbSet<DemographicsChange> DemographicsChanges => Set<DemographicsChange>();

    public DbSet<Representatives.Representation> Representations => Set<Representatives.Representation>();

    public DbSet<Oversight.AlertCase> AlertCases => Set<Oversight.AlertCase>();

    public DbSet<Oversight.AlertEvidence> AlertEvidence => Set<Oversight.AlertEvidence>();

    public DbSet<Oversight.AlertScanState> AlertScanStates => Set<Oversight.AlertScanState>();

    public DbSet<Oversight.StaffActivityDay> StaffActivityDays => Set<Oversight.StaffActivityDay>();

    public DbSet<Oversight.FlaggedRecord> FlaggedRecords => Set<Oversight.FlaggedRecord>();

    /// <summary>The data-protection key ring (cookies, antiforgery): kept with the data, so restarts and every instance share it.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    private TransactionAppends _appends = new(null);

    /// <summary>
    /// The audit events appended in the context's current transaction and not yet chained
    /// (<see cref="AuditTrail.AppendAsync"/>), which the next save chains last, and when the transaction was granted the
    /// chain head. They belong to that transaction only: a context used again (from the pool, or after a rollback) with
    /// another transaction starts with none.
    /// </summary>
    internal TransactionAppends Appends
    {
        get
        {
            var transaction = Database.CurrentTransaction?.TransactionId;
            if (_appends.Transaction != transaction)
            {
                _appends = new TransactionAppends(transaction);
            }

            return _appends;
        }
    }

    private bool _holdChaining;

    /// <summary>
    /// Writes the changes so far without chaining the audit events appended (a body that needs a new row's id): they
    /// are chained by the transaction's last save, so the chain head is not held for the rest of the transaction.
    /// </summary>
    internal async Task SaveWritesAsync(CancellationToken cancellationToken = default)
    {
        _holdChaining = true;
        try
        {
            await SaveChangesAsync(cancellationToken);
        }
        finally
        {
            _holdChaining = false;
        }
    }

    /// <summary>Forgets everything tracked, and the audit events not yet saved (after a rollback).</summary>
    internal void Forget()
    {
        ChangeTracker.Clear();
        _appends = new TransactionAppends(null);
    }

    /// <summary>Nothing in the product changes or removes an audit event; this is the last line before the database's own triggers.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (Appends.Pending.Count > 0)
        {
            throw new InvalidOperationException("Audit events are chained by SaveChangesAsync.");
        }

        var auto = DetectChangesOnce();
        try
        {
            RefuseAuditChanges();
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = auto;
        }
    }

    /// <summary>
    /// Saves the changes, then chains the pending audit events and saves them: the chain head is locked (PostgreSQL)
    /// only for the events' insert and the commit, not for the rest of the transaction's writes.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var auto = DetectChangesOnce();
        try
        {
            RefuseAuditChanges();
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (!_holdChaining && Appends.Pending.Count > 0)
            {
                await AuditTrail.ChainPendingAsync(this, cancellationToken);
                ChangeTracker.DetectChanges();
                saved += await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            }

            return saved;
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = auto;
        }
    }

    /// <summary>
    /// Detects the changes of the tracked entities once, for both the check below and the save (each would otherwise
    /// scan every tracked entity again: a contribution tracks hundreds).
    /// </summary>
    private bool DetectChangesOnce()
    {
        var auto = ChangeTracker.AutoDetectChangesEnabled;
        if (auto)
        {
            ChangeTracker.DetectChanges();
            ChangeTracker.AutoDetectChangesEnabled = false;
        }

        return auto;
    }

    private void RefuseAuditChanges()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is AuditEvent or AuditCheckpoint && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("The audit trail is append-only: events and checkpoints cannot be changed or deleted.");
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(NehrDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time in the NEHR is UTC; what comes back from the database is marked so.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<Nric>().HaveConversion<NricConverter>().HaveMaxLength(9);
        configurationBuilder.Properties<ProviderCode>().HaveConversion<ProviderCodeConverter>().HaveMaxLength(12);
    }
}

/// <summary>What a transaction appended to the audit trail and has not chained yet, and when it was granted the chain head.</summary>
internal sealed class TransactionAppends(Guid? transaction)
{
    public Guid? Transaction { get; } = transaction;

    public List<AuditEvent> Pending { get; } = [];

    /// <summary>A <see cref="System.Diagnostics.Stopwatch"/> timestamp; null before the transaction's first chaining.</summary>
    public long? HeadLockedAt { get; set; }

    /// <summary>The chain head this transaction locked and appends to (null before its first chaining).</summary>
    public AuditChainHead? Head { get; set; }
}
