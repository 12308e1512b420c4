using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Configurations;

internal sealed class PatientConfiguration : IEntityTypeConfiguration<Patient>
{
    public void Configure(EntityTypeBuilder<Patient> builder)
    {
        builder.HasIndex(p => p.Nric).IsUnique();
        builder.Property(p => p.Name).HasMaxLength(Patient.MaxNameLength);
        builder.Property(p => p.Sex).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Race).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.RestrictionMode).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.RestrictionVersion).IsConcurrencyToken();
        builder.Property(p => p.AliasText).HasMaxLength((Patient.MaxNameLength + 1) * Patient.MaxAliases);
        builder.Ignore(p => p.Aliases);
        builder.Ignore(p => p.KnownNames);
        // EnrolledByProviderId names a provider, which is never deleted; no foreign key, so that adding the column
        // does not rebuild the (large) table on SQLite.
        builder.HasMany(p => p.AllowedProviders).WithOne().HasForeignKey(a => a.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.Navigation(p => p.AllowedProviders).HasField("_allowedProviders").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class FormerIdentifierConfiguration : IEntityTypeConfiguration<FormerIdentifier>
{
    public void Configure(EntityTypeBuilder<FormerIdentifier> builder)
    {
        // One person per identifier, ever: a former NRIC/FIN is never given to anyone else.
        builder.HasIndex(f => f.Nric).IsUnique();
        builder.HasIndex(f => f.PatientId);
        builder.HasOne<Patient>().WithMany().HasForeignKey(f => f.PatientId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DemographicsChangeConfiguration : IEntityTypeConfiguration<DemographicsChange>
{
    public void Configure(EntityTypeBuilder<DemographicsChange> builder)
    {
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(24);
        builder.Property(c => c.Before).HasMaxLength(2000);
        builder.Property(c => c.After).HasMaxLength(2000);
        builder.HasIndex(c => new { c.PatientId, c.Version }).IsUnique();
        builder.HasOne<Patient>().WithMany().HasForeignKey(c => c.PatientId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PatientAllowedProviderConfiguration : IEntityTypeConfiguration<PatientAllowedProvider>
{
    public void Configure(EntityTypeBuilder<PatientAllowedProvider> builder)
    {
        builder.HasKey(a => new { a.PatientId, a.ProviderId });
        builder.HasOne<Provider>().WithMany().HasForeignKey(a => a.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ClinicalEntryConfiguration : IEntityTypeConfiguration<ClinicalEntry>
{
    public void Configure(EntityTypeBuilder<ClinicalEntry> builder)
    {
        builder.ToTable("ClinicalEntries");
        builder.HasDiscriminator<EntryKind>("EntryKind")
            .HasValue<AllergyEntry>(EntryKind.Allergy)
            .HasValue<VaccinationEntry>(EntryKind.Vaccination)
            .HasValue<MedicationEntry>(EntryKind.Medication)
            .HasValue<LabResultEntry>(EntryKind.LabResult)
            .HasValue<RadiologyResultEntry>(EntryKind.RadiologyResult)
            .HasValue<DiagnosisEntry>(EntryKind.Diagnosis)
            .HasValue<ProcedureEntry>(EntryKind.Procedure)
            .HasValue<VisitEntry>(EntryKind.Visit)
            .HasValue<SummaryEntry>(EntryKind.Summary);
        builder.Property<EntryKind>("EntryKind").HasConversion<string>().HasMaxLength(16);
        builder.Ignore(e => e.Kind);
        builder.Ignore(e => e.IsInBasicSet);
        builder.Ignore(e => e.IsWithdrawn);

        // The source identifier is kept whole (no length of its own); the index holds its hash.
        builder.Property(e => e.SourceIdentifier).HasMaxLength(ClinicalEntry.MaxSourceIdentifierLength);
        builder.Property(e => e.SourceIdentifierHash).HasMaxLength(64);
        builder.Property(e => e.Status).HasColumnName("SourceStatus").HasMaxLength(ClinicalEntry.MaxCodeLength);

        // A record is read per patient and per kind, newest first.
        builder.HasIndex("PatientId", "EntryKind", nameof(ClinicalEntry.OccurredAtUtc));

        // Re-sending the same resource from the same system updates it, never duplicates it. An entry belongs to its
        // patient for ever: another patient may hold the same identifier only once the first entry is withdrawn.
        // The hash comes first, so that a bundle's identifiers are looked up by a seek each whatever the planner thinks
        // of the system (with the system first, PostgreSQL's generic plan seeked the system and filtered the hashes: a
        // scan of all the system's entries for every bundle).
        builder.HasIndex(nameof(ClinicalEntry.SourceIdentifierHash), "SourceSystemId", "EntryKind", nameof(ClinicalEntry.PatientId))
            .IsUnique().HasDatabaseName("IX_ClinicalEntries_SourceIdentity");

        // ...and at most one live entry per identifier, whoever it is filed under: the database keeps that rule even when
        // two bundles of a system file one identifier for two people at the same moment (the later one is run again,
        // and sees the first).
        builder.HasIndex(nameof(ClinicalEntry.SourceIdentifierHash), "SourceSystemId", "EntryKind")
            .IsUnique().HasFilter("\"WithdrawnAtUtc\" IS NULL").HasDatabaseName("IX_ClinicalEntries_LiveSourceIdentity");
        builder.HasOne<Patient>().WithMany().HasForeignKey(e => e.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Provider>().WithMany().HasForeignKey(e => e.SourceProviderId).OnDelete(DeleteBehavior.Restrict);

        // The patients a provider contributed for in a window (RegistrationOversight), read from the index alone; it
        // also serves the provider's foreign key.
        builder.HasIndex(e => new { e.SourceProviderId, e.ContributedAtUtc, e.PatientId });
    }
}

internal sealed class AllergyEntryConfiguration : IEntityTypeConfiguration<AllergyEntry>
{
    public void Configure(EntityTypeBuilder<AllergyEntry> builder)
    {
        builder.Property(e => e.Substance).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Reaction).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Category).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Criticality).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Verification).HasColumnName("Verification").HasMaxLength(ClinicalEntry.MaxCodeLength);
    }
}

internal sealed class VaccinationEntryConfiguration : IEntityTypeConfiguration<VaccinationEntry>
{
    public void Configure(EntityTypeBuilder<VaccinationEntry> builder) =>
        builder.Property(e => e.Vaccine).HasMaxLength(ClinicalEntry.MaxShortTextLength);
}

internal sealed class MedicationEntryConfiguration : IEntityTypeConfiguration<MedicationEntry>
{
    public void Configure(EntityTypeBuilder<MedicationEntry> builder)
    {
        builder.Property(e => e.Medication).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Dosage).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Record).HasColumnName("MedicationStatus").HasConversion<string>().HasMaxLength(16);
    }
}

internal sealed class LabResultEntryConfiguration : IEntityTypeConfiguration<LabResultEntry>
{
    public void Configure(EntityTypeBuilder<LabResultEntry> builder)
    {
        builder.Property(e => e.TestName).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.TestCode).HasMaxLength(ClinicalEntry.MaxCodeLength);
        builder.Property(e => e.Value).HasColumnName("ResultValue").HasMaxLength(ClinicalEntry.MaxTextLength);
        builder.Property(e => e.Unit).HasMaxLength(ClinicalEntry.MaxCodeLength);
        builder.Property(e => e.ReferenceText).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Flag).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Interpretation).HasMaxLength(ClinicalEntry.MaxShortTextLength);
    }
}

internal sealed class RadiologyResultEntryConfiguration : IEntityTypeConfiguration<RadiologyResultEntry>
{
    public void Configure(EntityTypeBuilder<RadiologyResultEntry> builder)
    {
        builder.Property(e => e.Examination).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.ExaminationCode).HasMaxLength(ClinicalEntry.MaxCodeLength);
        builder.Property(e => e.Conclusion).HasMaxLength(ClinicalEntry.MaxTextLength);
        builder.Property(e => e.Report).HasMaxLength(ClinicalEntry.MaxTextLength);
    }
}

internal sealed class DiagnosisEntryConfiguration : IEntityTypeConfiguration<DiagnosisEntry>
{
    public void Configure(EntityTypeBuilder<DiagnosisEntry> builder)
    {
        builder.Property(e => e.Code).HasColumnName("DiagnosisCode").HasMaxLength(ClinicalEntry.MaxCodeLength);
        builder.Property(e => e.Description).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.ClinicalStatus).HasColumnName("DiagnosisStatus").HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Verification).HasColumnName("Verification").HasMaxLength(ClinicalEntry.MaxCodeLength);
    }
}

internal sealed class ProcedureEntryConfiguration : IEntityTypeConfiguration<ProcedureEntry>
{
    public void Configure(EntityTypeBuilder<ProcedureEntry> builder)
    {
        builder.Property(e => e.Procedure).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Code).HasColumnName("ProcedureCode").HasMaxLength(ClinicalEntry.MaxCodeLength);
        builder.Property(e => e.EndedAtUtc).HasColumnName("EndedAtUtc");
        builder.Property(e => e.BodySite).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Reason).HasColumnName("Reason").HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Outcome).HasMaxLength(ClinicalEntry.MaxShortTextLength);
    }
}

internal sealed class VisitEntryConfiguration : IEntityTypeConfiguration<VisitEntry>
{
    public void Configure(EntityTypeBuilder<VisitEntry> builder)
    {
        builder.Property(e => e.VisitType).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.VisitClass).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.EndedAtUtc).HasColumnName("EndedAtUtc");
        builder.Property(e => e.Reason).HasColumnName("Reason").HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.ServedBy).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.DischargeDisposition).HasMaxLength(ClinicalEntry.MaxShortTextLength);
    }
}

internal sealed class SummaryEntryConfiguration : IEntityTypeConfiguration<SummaryEntry>
{
    public void Configure(EntityTypeBuilder<SummaryEntry> builder)
    {
        builder.Property(e => e.Type).HasColumnName("SummaryType").HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Title).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Text).HasMaxLength(ClinicalEntry.MaxTextLength);
    }
}

internal sealed class RepresentationConfiguration : IEntityTypeConfiguration<Representatives.Representation>
{
    public void Configure(EntityTypeBuilder<Representatives.Representation> builder)
    {
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Powers).HasConversion<int>();
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.OrderReference).HasMaxLength(Representatives.Representation.MaxReferenceLength);
        builder.Property(r => r.CreatedByUserId).HasMaxLength(450);
        builder.Property(r => r.EndedByUserId).HasMaxLength(450);
        builder.Property(r => r.EndReason).HasMaxLength(Representatives.Representation.MaxReasonLength);
        // One open relationship of a kind between two people (an invitation waiting, or a current one): a second
        // invitation of the same caregiver, or the register's parent link sent twice, is refused by the database too.
        builder.HasIndex(r => new { r.PatientId, r.RepresentativeNric, r.Kind }).IsUnique().HasFilter("\"State\" IN ('Invited', 'Active')");
        builder.HasIndex(r => new { r.RepresentativeId, r.State });
        builder.HasIndex(r => new { r.RepresentativeNric, r.State });
        builder.HasOne<Patient>().WithMany().HasForeignKey(r => r.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(r => r.RepresentativeId).OnDelete(DeleteBehavior.Restrict);
    }
}
