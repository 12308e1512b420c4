using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Contribution;
using Nehr.Core.Oversight;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

public class ModelInvariantTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    private static Patient NewPatient() =>
        new(Nric.Parse("S1234567D"), "Tan Mei Ling", new DateOnly(1980, 5, 1), Sex.Female, Race.Chinese, Today);

    [Fact]
    public void A_withdrawn_entry_reads_entered_in_error_not_the_status_it_had()
    {
        var source = new EntrySource(1, 1, null, "imm-1", Now, Now, "completed");
        var vaccination = new VaccinationEntry(source, "Influenza vaccine", 1);
        vaccination.Withdraw(Now);
        Assert.Equal(("entered-in-error", Now), (vaccination.Status, vaccination.WithdrawnAtUtc));

        var allergy = new AllergyEntry(source with { Status = "active" }, "Penicillin", AllergyCategory.Medication, AllergyCriticality.High, null, "confirmed");
        allergy.Withdraw(Now.AddDays(1));
        Assert.Equal((null, "entered-in-error", Now.AddDays(1)), (allergy.Status, allergy.Verification, allergy.WithdrawnAtUtc));

        var diagnosis = new DiagnosisEntry(source with { Status = "active" }, "A15", "Tuberculosis", DiagnosisStatus.Active, "confirmed");
        diagnosis.Withdraw(Now);
        diagnosis.Withdraw(Now.AddDays(2));
        Assert.Equal((null, DiagnosisStatus.NotStated, "entered-in-error", Now), (diagnosis.Status, diagnosis.ClinicalStatus, diagnosis.Verification, diagnosis.WithdrawnAtUtc));
    }

    [Fact]
    public void A_new_patient_has_no_restriction()
    {
        var patient = NewPatient();

        Assert.Equal(RestrictionMode.None, patient.RestrictionMode);
        Assert.Equal(0, patient.RestrictionVersion);
        Assert.Empty(patient.AllowedProviders);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_patient_needs_a_name(string name)
    {
        Assert.Throws<DomainException>(() =>
            new Patient(Nric.Parse("S1234567D"), name, new DateOnly(1980, 5, 1), Sex.Female, Race.Chinese, Today));
    }

    [Fact]
    public void A_date_of_birth_in_the_future_is_rejected()
    {
        Assert.Throws<DomainException>(() =>
            new Patient(Nric.Parse("S1234567D"), "Tan", Today.AddDays(1), Sex.Female, Race.Chinese, Today));
    }

    [Fact]
    public void Age_counts_whole_years()
    {
        var patient = NewPatient();

        Assert.Equal(46, patient.AgeOn(new DateOnly(2026, 5, 1)));
        Assert.Equal(45, patient.AgeOn(new DateOnly(2026, 4, 30)));
    }

    [Fact]
    public void Each_restriction_change_is_a_new_version_from_what_to_what()
    {
        var patient = NewPatient();

        var first = patient.ChangeRestriction(RestrictionMode.RestrictAll, [], "user-1", Now);
        var second = patient.ChangeRestriction(RestrictionMode.AllowSelectedProviders, [7, 3, 7], "user-1", Now.AddHours(1));

        Assert.NotNull(first);
        Assert.Equal((1, RestrictionMode.None, RestrictionMode.RestrictAll), (first.Version, first.FromMode, first.ToMode));
        Assert.NotNull(second);
        Assert.Equal(2, second.Version);
        Assert.Equal([3, 7], second.ToProviderIds);
        Assert.Equal(2, patient.RestrictionVersion);
        Assert.True(patient.Allows(3));
        Assert.False(patient.Allows(4));
    }

    [Fact]
    public void Setting_the_same_restriction_again_is_no_change()
    {
        var patient = NewPatient();
        patient.ChangeRestriction(RestrictionMode.AllowSelectedProviders, [3], "user-1", Now);

        var again = patient.ChangeRestriction(RestrictionMode.AllowSelectedProviders, [3], "user-1", Now);

        Assert.Null(again);
        Assert.Equal(1, patient.RestrictionVersion);
    }

    [Fact]
    public void Allowing_selected_providers_needs_at_least_one_provider()
    {
        var patient = NewPatient();

        var error = Assert.Throws<DomainException>(() =>
            patient.ChangeRestriction(RestrictionMode.AllowSelectedProviders, [], "user-1", Now));

        Assert.Contains("at least one provider", error.Message, StringComparison.Ordinal);
        Assert.Equal(RestrictionMode.None, patient.RestrictionMode);
    }

    [Fact]
    public void Providers_cannot_be_selected_with_restrict_all()
    {
        var patient = NewPatient();

        Assert.Throws<DomainException>(() => patient.ChangeRestriction(RestrictionMode.RestrictAll, [3], "user-1", Now));
        Assert.Equal(0, patient.RestrictionVersion);
    }

    [Fact]
    public void Lifting_a_restriction_clears_the_selected_providers()
    {
        var patient = NewPatient();
        patient.ChangeRestriction(RestrictionMode.AllowSelectedProviders, [3, 4], "user-1", Now);

        patient.ChangeRestriction(RestrictionMode.None, [], "user-1", Now);

        Assert.Empty(patient.AllowedProviders);
        Assert.False(patient.Allows(3));
    }

    [Theory]
    [InlineData(ProfessionalRole.Administrator)]
    [InlineData(ProfessionalRole.FrontDeskStaff)]
    [InlineData(ProfessionalRole.Researcher)]
    public void A_role_not_in_care_cannot_be_marked_as_involved_in_care(ProfessionalRole role)
    {
        Assert.Throws<DomainException>(() => new Personnel(1, "Ong", role, involvedInCare: true));
    }

    [Fact]
    public void A_leaver_is_no_longer_involved_in_care()
    {
        var nurse = new Personnel(1, "Wong", ProfessionalRole.Nurse, involvedInCare: true);

        nurse.Deactivate();

        Assert.False(nurse.IsActive);
        Assert.False(nurse.InvolvedInCare);
    }

    [Fact]
    public void Only_a_licensed_provider_can_be_onboarded()
    {
        var provider = new Provider(ProviderCode.Parse("XYZ01"), "Unlicensed Clinic", ProviderType.GeneralPractice, licensed: false);

        Assert.Throws<DomainException>(() => provider.Onboard(new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(OnboardingState.NotOnboarded, provider.OnboardingState);
    }

    [Theory]
    [InlineData("AB")]
    [InlineData("1ABC")]
    [InlineData("AB-12")]
    [InlineData("ABCDEFGHIJKLM")]
    public void Invalid_provider_codes_are_rejected(string code)
    {
        Assert.False(ProviderCode.TryParse(code, out _, out _));
    }

    [Fact]
    public void A_registration_ends_once()
    {
        var registration = new CareRegistration(1, 2, "admin", Now);

        registration.End("admin", Now.AddDays(1));

        Assert.False(registration.IsActive);
        Assert.Throws<DomainException>(() => registration.End("admin", Now.AddDays(2)));
    }

    [Fact]
    public void A_system_is_approved_only_after_its_connectivity_test_and_security_checklist()
    {
        var system = new SystemConnection(1, "CGH EMR", "admin", Now);

        Assert.Throws<DomainException>(() => system.Approve("client", "hash", "moh", Now));
        system.RecordConnectivityTestPassed(Now);
        Assert.Throws<DomainException>(() => system.Approve("client", "hash", "moh", Now));
        system.CompleteSecurityChecklist(Now);
        system.Approve("client", "hash", "moh", Now);

        Assert.True(system.MayContribute);
        system.Suspend("moh", Now);
        Assert.False(system.MayContribute);
        system.Reinstate("moh", Now);
        system.Revoke("moh", Now);
        Assert.False(system.MayContribute);
        Assert.Throws<DomainException>(() => system.Reinstate("moh", Now));
    }

    [Fact]
    public void The_security_checklist_is_complete_only_with_every_item()
    {
        var system = new SystemConnection(1, "CGH EMR", "admin", Now);
        system.RecordConnectivityTestPassed(Now);

        system.SetSecurityItems(SecurityItem.All & ~SecurityItem.PenetrationTest, Now);
        Assert.Null(system.SecurityChecklistCompletedAtUtc);
        Assert.Throws<DomainException>(() => system.Approve("client", "hash", "moh", Now));
        Assert.Throws<DomainException>(() => system.SetSecurityItems((SecurityItem)64, Now));

        system.SetSecurityItems(SecurityItem.All, Now);
        Assert.Equal(Now, system.SecurityChecklistCompletedAtUtc);
    }

    [Fact]
    public void A_directive_is_acknowledged_before_it_is_attested_and_is_overdue_until_then()
    {
        var directive = new Directive(3, DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment screening.", Now.AddDays(7), "moh", Now);

        Assert.False(directive.IsOverdueAt(Now.AddDays(7)));
        Assert.True(directive.IsOverdueAt(Now.AddDays(8)));
        Assert.Throws<DomainException>(() => directive.AttestDone("All screening staff were retrained.", "admin", Now.AddDays(1)));
        directive.Acknowledge("admin", Now.AddDays(1));
        Assert.Throws<DomainException>(() => directive.AttestDone("done", "admin", Now.AddDays(2)));
        directive.AttestDone("All screening staff were retrained and access removed.", "admin", Now.AddDays(2));

        Assert.Equal(DirectiveStatus.Done, directive.Status);
        Assert.False(directive.IsOverdueAt(Now.AddDays(30)));
        Assert.Throws<DomainException>(() => directive.Acknowledge("admin", Now.AddDays(3)));
    }

    [Fact]
    public void A_directive_needs_instructions_and_a_future_deadline()
    {
        Assert.Throws<DomainException>(() => new Directive(3, DirectiveKind.StopUnauthorisedUse, "stop", Now.AddDays(7), "moh", Now));
        Assert.Throws<DomainException>(() => new Directive(3, DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for screening.", Now, "moh", Now));
        Assert.Throws<DomainException>(() => new Directive(0, DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for screening.", Now.AddDays(1), "moh", Now));
        Assert.Throws<DomainException>(() => new Directive(3, (DirectiveKind)9, "Stop using the NEHR for screening.", Now.AddDays(1), "moh", Now));
    }

    [Fact]
    public void An_entry_keeps_its_source_and_times()
    {
        var source = new EntrySource(5, 2, 9, "ALG-1", Now.AddDays(-3), Now);

        var entry = new AllergyEntry(source, "Penicillin", AllergyCategory.Medication, AllergyCriticality.High, "Rash");

        Assert.Equal((5, 2, 9, "ALG-1"), (entry.PatientId, entry.SourceProviderId, entry.SourceSystemId, entry.SourceIdentifier));
        Assert.True(entry.IsInBasicSet);
        Assert.False(new DiagnosisEntry(source, "I10", "Hypertension", DiagnosisStatus.Active).IsInBasicSet);
    }

    [Fact]
    public void An_entry_cannot_be_contributed_before_it_happened()
    {
        var source = new EntrySource(5, 2, null, "ALG-1", Now, Now.AddDays(-2));

        Assert.Throws<DomainException>(() => new VaccinationEntry(source, "Influenza", 1));
    }

    [Fact]
    public void A_reference_range_must_be_ordered()
    {
        var source = new EntrySource(5, 2, null, "LAB-1", Now, Now);

        Assert.Throws<DomainException>(() =>
            new LabResultEntry(source, "Potassium", "2823-3", "4.0", "mmol/L", 5.1m, 3.5m, AbnormalFlag.Normal));
    }
}
