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
        builder.HasMany(p => p.AllowedProviders).WithOne().HasForeignKey(a => a.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.Navigation(p => p.AllowedProviders).HasField("_allowedProviders").UsePropertyAccessMode(PropertyAccessMode.Field);
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
            .HasValue<DiagnosisEntry>(EntryKind.Diagnosis)
            .HasValue<SummaryEntry>(EntryKind.Summary);
        builder.Property<EntryKind>("EntryKind").HasConversion<string>().HasMaxLength(16);
        builder.Ignore(e => e.Kind);
        builder.Ignore(e => e.IsInBasicSet);
        builder.Property(e => e.SourceIdentifier).HasMaxLength(ClinicalEntry.MaxShortTextLength);

        // A record is read per patient and per kind, newest first.
        builder.HasIndex("PatientId", "EntryKind", nameof(ClinicalEntry.OccurredAtUtc));

        // Re-sending the same resource from the same system updates it, never duplicates it.
        builder.HasIndex("SourceSystemId", "EntryKind", nameof(ClinicalEntry.SourceIdentifier)).IsUnique();
        builder.HasOne<Patient>().WithMany().HasForeignKey(e => e.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Provider>().WithMany().HasForeignKey(e => e.SourceProviderId).OnDelete(DeleteBehavior.Restrict);
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
        builder.Property(e => e.Status).HasColumnName("MedicationStatus").HasConversion<string>().HasMaxLength(16);
    }
}

internal sealed class LabResultEntryConfiguration : IEntityTypeConfiguration<LabResultEntry>
{
    public void Configure(EntityTypeBuilder<LabResultEntry> builder)
    {
        builder.Property(e => e.TestName).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.TestCode).HasMaxLength(40);
        builder.Property(e => e.Value).HasColumnName("ResultValue").HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Unit).HasMaxLength(40);
        builder.Property(e => e.Flag).HasConversion<string>().HasMaxLength(16);
    }
}

internal sealed class DiagnosisEntryConfiguration : IEntityTypeConfiguration<DiagnosisEntry>
{
    public void Configure(EntityTypeBuilder<DiagnosisEntry> builder)
    {
        builder.Property(e => e.Code).HasColumnName("DiagnosisCode").HasMaxLength(40);
        builder.Property(e => e.Description).HasMaxLength(ClinicalEntry.MaxShortTextLength);
        builder.Property(e => e.Status).HasColumnName("DiagnosisStatus").HasConversion<string>().HasMaxLength(16);
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
