using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Configurations;

internal sealed class RestrictionChangeConfiguration : IEntityTypeConfiguration<RestrictionChange>
{
    public void Configure(EntityTypeBuilder<RestrictionChange> builder)
    {
        builder.HasIndex(c => new { c.PatientId, c.Version }).IsUnique();
        builder.Property(c => c.FromMode).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.ToMode).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.ChangedBy).HasMaxLength(450);
        builder.PrimitiveCollection(c => c.FromProviderIds);
        builder.PrimitiveCollection(c => c.ToProviderIds);
        builder.HasOne<Patient>().WithMany().HasForeignKey(c => c.PatientId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class EmergencyOverrideConfiguration : IEntityTypeConfiguration<EmergencyOverride>
{
    public void Configure(EntityTypeBuilder<EmergencyOverride> builder)
    {
        builder.Property(o => o.Reason).HasConversion<string>().HasMaxLength(40);
        builder.Property(o => o.ReviewStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.Justification).HasMaxLength(Justification.MaxLength);
        builder.Property(o => o.Findings).HasMaxLength(4000);
        builder.Property(o => o.ReviewedBy).HasMaxLength(450);
        builder.Property(o => o.ReferredTo).HasConversion<string>().HasMaxLength(40);
        builder.Property(o => o.ReferralReference).HasMaxLength(ProfessionalBodies.MaxReferenceLength);
        builder.Property(o => o.ReferralOutcome).HasMaxLength(ProfessionalBodies.MaxOutcomeLength);
        builder.Property(o => o.ReferralPenalty).HasMaxLength(ProfessionalBodies.MaxOutcomeLength);
        builder.Property(o => o.ReferralOutcomeRecordedBy).HasMaxLength(450);
        builder.HasIndex(o => new { o.PersonnelId, o.PatientId, o.ExpiresAtUtc });
        builder.HasIndex(o => o.ReviewStatus);
        builder.HasOne<Patient>().WithMany().HasForeignKey(o => o.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Personnel>().WithMany().HasForeignKey(o => o.PersonnelId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Provider>().WithMany().HasForeignKey(o => o.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        // The number is assigned by the trail when it chains an event, never by the database.
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        // One event at each position of a chain; a chain is read, verified and scanned in this order.
        builder.HasIndex(e => new { e.Chain, e.Position }).IsUnique();
        builder.Property(e => e.EventType).HasMaxLength(64);
        builder.Property(e => e.ActorUserId).HasMaxLength(450);
        builder.Property(e => e.ActorRole).HasMaxLength(64);
        builder.Property(e => e.Level).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Reason).HasMaxLength(400);
        builder.Property(e => e.ClientAddress).HasMaxLength(64);
        builder.Property(e => e.CorrelationId).HasMaxLength(64);
        builder.Property(e => e.Details).HasMaxLength(4000);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        // A patient's access history: newest first, counted and filtered from the index alone.
        builder.HasIndex(e => new { e.PatientId, e.OccurredAtUtc, e.EventType, e.ActorPersonnelId, e.ActorProviderId, e.Outcome, e.Level, e.IsOverride })
            .HasDatabaseName("IX_AuditEvents_PatientHistory");
        builder.HasIndex(e => new { e.ActorUserId, e.OccurredAtUtc });
        // What representatives did, for the patient's history: a small partial index (representatives' events only).
        builder.HasIndex(e => new { e.PatientId, e.OccurredAtUtc }, "IX_AuditEvents_Representative")
            .HasFilter("\"ActorRole\" = 'Representative'");
        builder.HasIndex(e => new { e.ActorPersonnelId, e.OccurredAtUtc });
        builder.HasIndex(e => new { e.ActorProviderId, e.OccurredAtUtc });
        builder.HasIndex(e => new { e.EventType, e.OccurredAtUtc });
        builder.HasIndex(e => e.OccurredAtUtc);
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.ToTable("AuditChainHead");
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.LastHash).HasMaxLength(64);

        // The first chain starts empty; its row exists from the first migration on (more are added at start-up).
        builder.HasData(new { Id = AuditChainHead.FirstChain, LastPosition = 0L, LastHash = string.Empty });
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.ToTable("AuditChainCheckpoints");
        builder.HasKey(c => new { c.Chain, c.Position });
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.Property(c => c.Root).HasMaxLength(64);
        // Up to 64 subtree roots of 64 hex digits each, and the size.
        builder.Property(c => c.Frontier).HasMaxLength(4200);
    }
}

internal sealed class PatientNoticeConfiguration : IEntityTypeConfiguration<PatientNotice>
{
    public void Configure(EntityTypeBuilder<PatientNotice> builder)
    {
        builder.Property(n => n.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(n => n.Message).HasMaxLength(PatientNotice.MaxMessageLength);
        builder.Property(n => n.TextKey).HasMaxLength(PatientNotice.MaxTextKeyLength);
        builder.Property(n => n.TextArguments).HasMaxLength(PatientNotice.MaxTextArgumentsLength);
        builder.HasIndex(n => new { n.PatientId, n.CreatedAtUtc });
        builder.HasOne<Patient>().WithMany().HasForeignKey(n => n.PatientId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Property(m => m.To).HasMaxLength(256);
        builder.Property(m => m.Subject).HasMaxLength(OutboxMessage.MaxSubjectLength);
        builder.Property(m => m.Body).HasMaxLength(OutboxMessage.MaxBodyLength);
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.HasIndex(m => new { m.SentAtUtc, m.Id });
    }
}

internal sealed class PatientProviderAccessConfiguration : IEntityTypeConfiguration<PatientProviderAccess>
{
    public void Configure(EntityTypeBuilder<PatientProviderAccess> builder)
    {
        builder.HasKey(a => new { a.PatientId, a.ProviderId });
        builder.HasOne<Patient>().WithMany().HasForeignKey(a => a.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Provider>().WithMany().HasForeignKey(a => a.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AccessReportConfiguration : IEntityTypeConfiguration<AccessReport>
{
    public void Configure(EntityTypeBuilder<AccessReport> builder)
    {
        builder.Property(r => r.Comment).HasMaxLength(AccessReport.MaxCommentLength);
        builder.Property(r => r.Findings).HasMaxLength(AccessReport.MaxFindingsLength);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.ClosedBy).HasMaxLength(450);
        builder.Ignore(r => r.IsAboutRegistration);
        builder.HasIndex(r => new { r.PatientId, r.AuditSequence }).IsUnique();
        builder.HasIndex(r => r.Status);
        builder.HasIndex(r => r.RegistrationId);
        builder.HasOne<Patient>().WithMany().HasForeignKey(r => r.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AuditEvent>().WithMany().HasForeignKey(r => r.AuditSequence).OnDelete(DeleteBehavior.Restrict);
    }
}
