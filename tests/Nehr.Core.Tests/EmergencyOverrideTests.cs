using Nehr.Core.Access;

namespace Nehr.Core.Tests;

public class EmergencyOverrideTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    private static readonly Justification Reason =
        Justification.Parse("Patient brought in unconscious after a road accident; need medication history before surgery.");

    [Theory]
    [InlineData("emergency")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("test test test test test test test test test test")]
    [InlineData("asdf asdf asdf asdf asdf asdf asdf asdf asdf asdf")]
    [InlineData("........................................................")]
    [InlineData("patient unconscious need record now!!!!!!!!!!!!!!!!!!!")]
    public void Filler_is_not_a_justification(string text)
    {
        Assert.False(Justification.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void A_real_sentence_is_a_justification()
    {
        Assert.True(Justification.TryParse(
            "Unresponsive patient with suspected overdose, need to check current medications and allergies.",
            out var justification, out _));
        Assert.StartsWith("Unresponsive", justification.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_override_requires_the_attestation()
    {
        var error = Assert.Throws<DomainException>(() =>
            new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient, Reason, attested: false, Now, TimeSpan.FromHours(4)));

        Assert.Contains("audited", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5 * 24 + 1)]
    public void An_override_lasts_more_than_zero_and_at_most_five_days(int hours)
    {
        Assert.Throws<DomainException>(() =>
            new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient, Reason, attested: true, Now, TimeSpan.FromHours(hours)));
    }

    [Fact]
    public void An_override_is_active_only_inside_its_window()
    {
        var granted = new EmergencyOverride(1, 2, 3, OverrideReason.LifeThreateningCondition, Reason, true, Now, TimeSpan.FromHours(4));

        Assert.True(granted.IsActiveAt(Now));
        Assert.True(granted.IsActiveAt(Now.AddHours(4).AddTicks(-1)));
        Assert.False(granted.IsActiveAt(Now.AddHours(4)));
        Assert.False(granted.IsActiveAt(Now.AddTicks(-1)));
        Assert.Equal(OverrideReviewStatus.Pending, granted.ReviewStatus);
    }

    [Fact]
    public void An_inappropriate_verdict_needs_findings_and_is_given_once()
    {
        var granted = new EmergencyOverride(1, 2, 3, OverrideReason.PatientUnableToConsent, Reason, true, Now, TimeSpan.FromHours(4));

        Assert.Throws<DomainException>(() => granted.Review(false, " ", ProfessionalBody.SingaporeMedicalCouncil, "auditor", Now));
        granted.Review(false, "No emergency recorded in the visit notes.", ProfessionalBody.SingaporeMedicalCouncil, "auditor", Now);

        Assert.Equal(OverrideReviewStatus.Inappropriate, granted.ReviewStatus);
        Assert.True(granted.ReferredToProfessionalBody);
        Assert.Equal(ProfessionalBody.SingaporeMedicalCouncil, granted.ReferredTo);
        Assert.Throws<DomainException>(() => granted.Review(true, null, null, "auditor", Now));
    }

    [Fact]
    public void An_appropriate_override_cannot_be_referred()
    {
        var granted = new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient, Reason, true, Now, TimeSpan.FromHours(4));

        Assert.Throws<DomainException>(() => granted.Review(true, null, ProfessionalBody.SingaporeNursingBoard, "auditor", Now));
        Assert.Equal(OverrideReviewStatus.Pending, granted.ReviewStatus);
    }

    [Theory]
    [InlineData((ProfessionalBody)99, null, "from the list")]
    [InlineData(null, "SMC-2026-0142", "Choose the professional body")]
    public void A_referral_names_a_body_of_the_list_and_changes_nothing_otherwise(ProfessionalBody? body, string? reference, string expected)
    {
        var granted = new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient, Reason, true, Now, TimeSpan.FromHours(4));

        var error = Assert.Throws<DomainException>(() => granted.Review(false, "Not an emergency.", body, "auditor", Now, reference));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal((OverrideReviewStatus.Pending, null, false), (granted.ReviewStatus, granted.ReferredTo, granted.ReferredToProfessionalBody));
    }

    [Fact]
    public void The_bodys_outcome_is_recorded_once_for_a_referred_override_with_its_reference()
    {
        var notReferred = new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient, Reason, true, Now, TimeSpan.FromHours(4));
        notReferred.Review(false, "Not an emergency.", null, "auditor", Now);
        Assert.Throws<DomainException>(() => notReferred.RecordReferralOutcome("SMC-1", "Misconduct found.", null, "auditor", Now));

        var referred = new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient, Reason, true, Now, TimeSpan.FromHours(4));
        referred.Review(false, "Not an emergency.", ProfessionalBody.SingaporeMedicalCouncil, "auditor", Now);
        Assert.Contains("reference", Assert.Throws<DomainException>(() => referred.RecordReferralOutcome(" ", "Misconduct found.", null, "auditor", Now)).Message, StringComparison.Ordinal);
        Assert.Contains("outcome", Assert.Throws<DomainException>(() => referred.RecordReferralOutcome("SMC-2026-0142", " ", null, "auditor", Now)).Message, StringComparison.Ordinal);
        Assert.Null(referred.ReferralOutcome);

        referred.RecordReferralOutcome(" SMC-2026-0142 ", "Professional misconduct found.", "Fine of S$5,000 and censure.", "auditor", Now.AddDays(90));

        Assert.Equal(("SMC-2026-0142", "Professional misconduct found.", "Fine of S$5,000 and censure.", Now.AddDays(90)),
            (referred.ReferralReference, referred.ReferralOutcome, referred.ReferralPenalty, referred.ReferralOutcomeRecordedAtUtc));
        Assert.Throws<DomainException>(() => referred.RecordReferralOutcome("SMC-2026-0142", "Changed.", null, "auditor", Now));
    }
}
