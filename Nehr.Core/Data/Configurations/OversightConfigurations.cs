using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nehr.Core.Oversight;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Configurations;

internal sealed class AlertCaseConfiguration : IEntityTypeConfiguration<AlertCase>
{
    public void Configure(EntityTypeBuilder<AlertCase> builder)
    {
        builder.Property(c => c.Rule).HasConversion<string>().HasMaxLength(32);
        // Severity is kept as its rank, so that the queue orders by it.
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.DedupKey).HasMaxLength(AlertCase.MaxKeyLength);
        builder.Property(c => c.Summary).HasMaxLength(AlertCase.MaxSummaryLength);
        builder.Property(c => c.Findings).HasMaxLength(AlertCase.MaxFindingsLength);
        builder.Property(c => c.ClosedBy).HasMaxLength(450);
        builder.HasIndex(c => c.DedupKey).IsUnique();
        // The queue: open cases, most severe and oldest first; and each rule's outcomes for its false-alarm rate.
        builder.HasIndex(c => new { c.Status, c.Severity, c.RaisedAtUtc });
        builder.HasIndex(c => new { c.Rule, c.Status });
        builder.HasIndex(c => new { c.PatientId, c.Status });
    }
}

internal sealed class AlertEvidenceConfiguration : IEntityTypeConfiguration<AlertEvidence>
{
    public void Configure(EntityTypeBuilder<AlertEvidence> builder)
    {
        builder.HasKey(e => new { e.CaseId, e.Sequence });
        builder.HasOne<AlertCase>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AlertScanStateConfiguration : IEntityTypeConfiguration<AlertScanState>
{
    public void Configure(EntityTypeBuilder<AlertScanState> builder)
    {
        builder.ToTable("AlertScanState");
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Positions).HasMaxLength(2000);
        builder.HasData(new { Id = AlertScanState.SingletonId, LastSequence = 0L, Positions = string.Empty });
    }
}

internal sealed class StaffActivityDayConfiguration : IEntityTypeConfiguration<StaffActivityDay>
{
    public void Configure(EntityTypeBuilder<StaffActivityDay> builder)
    {
        builder.HasKey(d => new { d.PersonnelId, d.Day });
        builder.HasIndex(d => d.Day);
    }
}

internal sealed class FlaggedRecordConfiguration : IEntityTypeConfiguration<FlaggedRecord>
{
    public void Configure(EntityTypeBuilder<FlaggedRecord> builder)
    {
        builder.HasKey(f => f.PatientId);
        builder.Property(f => f.PatientId).ValueGeneratedNever();
        builder.Property(f => f.Flag).HasConversion<string>().HasMaxLength(16);
        builder.Property(f => f.Note).HasMaxLength(FlaggedRecord.MaxNoteLength);
        builder.Property(f => f.FlaggedBy).HasMaxLength(450);
        builder.HasOne<Patient>().WithMany().HasForeignKey(f => f.PatientId).OnDelete(DeleteBehavior.Restrict);
    }
}
