using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nehr.Core.Administration;
using Nehr.Core.Contribution;
using Nehr.Core.Oversight;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Configurations;

internal sealed class ProviderConfiguration : IEntityTypeConfiguration<Provider>
{
    public void Configure(EntityTypeBuilder<Provider> builder)
    {
        builder.HasIndex(p => p.Code).IsUnique();
        builder.Property(p => p.Name).HasMaxLength(Provider.MaxNameLength);
        builder.Property(p => p.Type).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.OnboardingState).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class PersonnelConfiguration : IEntityTypeConfiguration<Personnel>
{
    public void Configure(EntityTypeBuilder<Personnel> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(Personnel.MaxNameLength);
        builder.Property(p => p.Role).HasConversion<string>().HasMaxLength(32);
        builder.HasIndex(p => p.ProviderId);
        builder.HasOne<Provider>().WithMany().HasForeignKey(p => p.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CareRegistrationConfiguration : IEntityTypeConfiguration<CareRegistration>
{
    public void Configure(EntityTypeBuilder<CareRegistration> builder)
    {
        builder.Ignore(r => r.IsActive);
        builder.Property(r => r.RegisteredBy).HasMaxLength(450);
        builder.Property(r => r.EndedBy).HasMaxLength(450);
        builder.Property(r => r.Source).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.EpisodeKey).HasMaxLength(CareRegistration.MaxEpisodeKeyLength);

        // A resend of an encounter finds the registration of its episode. (SystemId names a system connection, which
        // is never deleted; no foreign key, so that adding the column does not rebuild the table on SQLite.)
        builder.HasIndex(r => new { r.SystemId, r.EpisodeKey, r.PatientId });
        builder.HasIndex(r => new { r.PatientId, r.ProviderId, r.EndedAtUtc });
        builder.HasIndex(r => new { r.ProviderId, r.EndedAtUtc });

        // MOH's registrations per provider per day, and in the last 30 days (RegistrationOversight).
        builder.HasIndex(r => new { r.RegisteredAtUtc, r.ProviderId });
        builder.HasOne<Patient>().WithMany().HasForeignKey(r => r.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Provider>().WithMany().HasForeignKey(r => r.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SystemConnectionConfiguration : IEntityTypeConfiguration<SystemConnection>
{
    public void Configure(EntityTypeBuilder<SystemConnection> builder)
    {
        builder.Ignore(s => s.MayContribute);
        builder.Property(s => s.Name).HasMaxLength(SystemConnection.MaxNameLength);
        builder.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(24);
        builder.Property(s => s.AppliedBy).HasMaxLength(450);
        builder.Property(s => s.ApprovedBy).HasMaxLength(450);
        builder.Property(s => s.ClientId).HasMaxLength(100);
        builder.Property(s => s.ClientSecretHash).HasMaxLength(200);
        builder.Property(s => s.ConnectivityKeyHash).HasMaxLength(200);
        builder.Property(s => s.SecurityItems).HasConversion<int>();
        builder.Property(s => s.StateChangedBy).HasMaxLength(450);
        builder.HasIndex(s => s.ClientId).IsUnique();
        builder.HasOne<Provider>().WithMany().HasForeignKey(s => s.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(120);
        // Changed only by conditional updates (NehrUserManager, SingleUseAuthenticatorTokenProvider): saving a copy of
        // the account loaded earlier must not put an older value back.
        builder.Property(u => u.LastAuthenticatorStep).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        builder.Property(u => u.AccessFailedCount).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        builder.HasIndex(u => u.PatientId).IsUnique();
        builder.HasIndex(u => u.PersonnelId).IsUnique();
        builder.HasOne<Patient>().WithMany().HasForeignKey(u => u.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Personnel>().WithMany().HasForeignKey(u => u.PersonnelId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DirectiveConfiguration : IEntityTypeConfiguration<Directive>
{
    public void Configure(EntityTypeBuilder<Directive> builder)
    {
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(40);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Instructions).HasMaxLength(Directive.MaxTextLength);
        builder.Property(d => d.Attestation).HasMaxLength(Directive.MaxTextLength);
        builder.Property(d => d.IssuedBy).HasMaxLength(450);
        builder.Property(d => d.AcknowledgedBy).HasMaxLength(450);
        builder.Property(d => d.AttestedBy).HasMaxLength(450);
        builder.HasIndex(d => new { d.ProviderId, d.Status });
        builder.HasOne<Provider>().WithMany().HasForeignKey(d => d.ProviderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ContributionBatchConfiguration : IEntityTypeConfiguration<ContributionBatch>
{
    public void Configure(EntityTypeBuilder<ContributionBatch> builder)
    {
        builder.Ignore(b => b.IsAccepted);
        builder.Property(b => b.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(b => b.BundleType).HasMaxLength(32);
        builder.Property(b => b.KindCounts).HasMaxLength(ContributionBatch.MaxKindCountsLength);
        builder.Property(b => b.IssueCodes).HasMaxLength(ContributionBatch.MaxIssueCodesLength);
        builder.Property(b => b.IssueText).HasMaxLength(ContributionBatch.MaxIssueTextLength);
        builder.HasIndex(b => new { b.ProviderId, b.ReceivedAtUtc });
        builder.HasIndex(b => new { b.SystemId, b.Outcome, b.ReceivedAtUtc });
        builder.HasOne<Provider>().WithMany().HasForeignKey(b => b.ProviderId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<SystemConnection>().WithMany().HasForeignKey(b => b.SystemId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class IdentityMismatchConfiguration : IEntityTypeConfiguration<IdentityMismatch>
{
    public void Configure(EntityTypeBuilder<IdentityMismatch> builder)
    {
        builder.Property(m => m.Nric).HasMaxLength(9);
        builder.Property(m => m.SourceReference).HasMaxLength(IdentityMismatch.MaxReferenceLength);
        builder.Property(m => m.Field).HasMaxLength(32);
        builder.Property(m => m.Message).HasMaxLength(1000);
        builder.HasIndex(m => new { m.ProviderId, m.AtUtc });
        builder.HasOne<Provider>().WithMany().HasForeignKey(m => m.ProviderId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<SystemConnection>().WithMany().HasForeignKey(m => m.SystemId).OnDelete(DeleteBehavior.Restrict);
    }
}
