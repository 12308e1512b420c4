using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Contribution;
using Nehr.Core.Oversight;
using Nehr.Portal.Components.Admin;

namespace Nehr.Portal.Tests;

public class OverrideReviewFormTests : MudTestContext
{
    private readonly List<(bool Appropriate, string? Findings, ProfessionalBody? Body, string? Reference)> _submitted = [];

    private IRenderedComponent<OverrideReviewForm> RenderForm(string? answer = null) =>
        Render<OverrideReviewForm>(p => p.Add(f => f.Submit, (appropriate, findings, body, reference) =>
        {
            _submitted.Add((appropriate, findings, body, reference));
            return Task.FromResult(answer);
        }));

    private static void Choose(IRenderedComponent<OverrideReviewForm> form, string testId) =>
        form.Find($"input[data-testid={testId}]").Click();

    [Fact]
    public void A_verdict_must_be_chosen()
    {
        var form = RenderForm();

        form.Find("[data-testid=submit-review]").Click();

        Assert.Equal("Choose a verdict: appropriate or inappropriate.", form.Find("[data-testid=verdict-error]").TextContent);
        Assert.Empty(_submitted);
    }

    [Fact]
    public void An_inappropriate_verdict_needs_findings_and_a_referral_names_its_body_from_the_list()
    {
        var form = RenderForm();
        Choose(form, "verdict-inappropriate");

        form.Find("[data-testid=submit-review]").Click();
        Assert.Contains("Record the findings", form.Markup, StringComparison.Ordinal);
        Assert.Empty(_submitted);

        form.Find("textarea[data-testid=findings]").Change("No emergency: the patient was conscious and consenting.");
        form.Find("input[data-testid=refer]").Change(true);
        form.Find("[data-testid=submit-review]").Click();
        Assert.Equal("Choose the professional body the clinician is referred to.", form.Find("[data-testid=referral-body-error]").TextContent);
        Assert.Empty(_submitted);

        var options = form.FindAll("select[data-testid=referral-body] option").Select(o => o.TextContent.Trim()).ToList();
        Assert.Equal(
            ["Choose the body…", "Singapore Medical Council", "Singapore Nursing Board", "Singapore Pharmacy Council", "Singapore Dental Council", "Allied Health Professions Council"],
            options);
        Assert.Equal("Professional body", form.Find("label[for=referral-body]").TextContent);
        form.Find("select[data-testid=referral-body]").Change(nameof(ProfessionalBody.SingaporeNursingBoard));
        form.Find("input[data-testid=referral-reference]").Change("SNB/2026/0031");
        form.Find("[data-testid=submit-review]").Click();

        var sent = Assert.Single(_submitted);
        Assert.Equal((false, ProfessionalBody.SingaporeNursingBoard, "SNB/2026/0031"), (sent.Appropriate, sent.Body, sent.Reference));
        Assert.StartsWith("No emergency", sent.Findings, StringComparison.Ordinal);
    }

    [Fact]
    public void An_appropriate_verdict_is_never_sent_as_a_referral()
    {
        var form = RenderForm();
        Choose(form, "verdict-inappropriate");
        form.Find("input[data-testid=refer]").Change(true);
        form.Find("select[data-testid=referral-body]").Change(nameof(ProfessionalBody.SingaporeMedicalCouncil));
        Choose(form, "verdict-appropriate");

        form.Find("[data-testid=submit-review]").Click();

        var sent = Assert.Single(_submitted);
        Assert.True(sent.Appropriate);
        Assert.Equal((null, null), (sent.Body, sent.Reference));
    }

    [Fact]
    public void A_refusal_from_the_server_is_shown()
    {
        var form = RenderForm("This override has already been reviewed.");
        Choose(form, "verdict-appropriate");

        form.Find("[data-testid=submit-review]").Click();

        Assert.Equal("This override has already been reviewed.", form.Find("[data-testid=review-error]").TextContent.Trim());
    }
}

public class ReferralOutcomeFormTests : MudTestContext
{
    private readonly List<(string? Reference, string? Outcome, string? Penalty)> _submitted = [];

    private IRenderedComponent<ReferralOutcomeForm> RenderForm(string? knownReference) =>
        Render<ReferralOutcomeForm>(p => p
            .Add(f => f.BodyName, "Singapore Medical Council")
            .Add(f => f.KnownReference, knownReference)
            .Add(f => f.Submit, (reference, outcome, penalty) =>
            {
                _submitted.Add((reference, outcome, penalty));
                return Task.FromResult<string?>(null);
            }));

    [Fact]
    public void The_outcome_needs_the_bodys_reference_unless_given_at_the_referral_and_an_outcome()
    {
        var form = RenderForm(knownReference: null);

        form.Find("[data-testid=submit-outcome]").Click();

        Assert.Contains("Enter the professional body's reference for its case.", form.Markup, StringComparison.Ordinal);
        Assert.Contains("Record the professional body's outcome.", form.Markup, StringComparison.Ordinal);
        Assert.Empty(_submitted);
        form.Find("input[data-testid=outcome-reference]").Change("SMC-2026-0142");
        form.Find("textarea[data-testid=outcome-text]").Change("Professional misconduct found.");
        form.Find("[data-testid=submit-outcome]").Click();
        Assert.Equal(("SMC-2026-0142", "Professional misconduct found.", null), Assert.Single(_submitted));
    }

    [Fact]
    public void A_reference_given_at_the_referral_is_not_asked_again()
    {
        var form = RenderForm(knownReference: "SMC-2026-0142");

        Assert.Empty(form.FindAll("[data-testid=outcome-reference]"));
        Assert.Contains("Singapore Medical Council", form.Markup, StringComparison.Ordinal);
    }
}

public class DirectiveCardTests : MudTestContext
{
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    private static DirectiveRow Row(DirectiveStatus status, bool overdue = false) => new(
        7, 3, "Central General Hospital", DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment checks.",
        Now, Now.AddDays(7), status, overdue, status == DirectiveStatus.Issued ? null : Now.AddDays(1),
        status == DirectiveStatus.Done ? "Screening stopped and staff retrained." : null, status == DirectiveStatus.Done ? Now.AddDays(2) : null);

    [Theory]
    [InlineData(DirectiveStatus.Issued, false, "Awaiting acknowledgement")]
    [InlineData(DirectiveStatus.Issued, true, "Overdue")]
    [InlineData(DirectiveStatus.Acknowledged, true, "Overdue")]
    [InlineData(DirectiveStatus.Done, false, "Done")]
    public void The_status_says_where_the_directive_stands(DirectiveStatus status, bool overdue, string expected)
    {
        var card = Render<DirectiveCard>(p => p.Add(c => c.Row, Row(status, overdue)));

        Assert.Equal(expected, card.Find("[data-testid=directive-status]").TextContent.Trim());
        Assert.Empty(card.FindAll("button"));
    }

    [Fact]
    public void The_provider_acknowledges_an_issued_directive()
    {
        long? acknowledged = null;
        var card = Render<DirectiveCard>(p => p
            .Add(c => c.Row, Row(DirectiveStatus.Issued))
            .Add(c => c.CanAct, true)
            .Add(c => c.Acknowledge, id =>
            {
                acknowledged = id;
                return Task.FromResult<string?>(null);
            }));

        Assert.Empty(card.FindAll("[data-testid=attest]"));
        card.Find("[data-testid=acknowledge]").Click();

        Assert.Equal(7, acknowledged);
    }

    [Fact]
    public void An_attestation_needs_a_real_description()
    {
        string? attested = null;
        var card = Render<DirectiveCard>(p => p
            .Add(c => c.Row, Row(DirectiveStatus.Acknowledged))
            .Add(c => c.CanAct, true)
            .Add(c => c.Attest, (_, text) =>
            {
                attested = text;
                return Task.FromResult<string?>(null);
            }));

        card.Find("textarea[data-testid=attestation]").Change("done");
        card.Find("[data-testid=attest]").Click();
        Assert.Contains("at least 20 characters", card.Find("[data-testid=directive-error]").TextContent, StringComparison.Ordinal);
        Assert.Null(attested);

        card.Find("textarea[data-testid=attestation]").Change("  Screening stopped; staff retrained on NEHR use.  ");
        card.Find("[data-testid=attest]").Click();
        Assert.Equal("Screening stopped; staff retrained on NEHR use.", attested);
    }
}

public class RegistrationTableTests : MudTestContext
{
    private static readonly DateTime Registered = new(2026, 11, 24, 2, 0, 0, DateTimeKind.Utc);

    private static RegistrationRow Row(long id, RegistrationSource source, DateTime? expires, bool confirmed = true) =>
        new(id, (int)id, "S1234567D", $"Patient {id}", Registered)
        {
            Source = source,
            ExpiresAtUtc = expires,
            DemographicsConfirmed = confirmed,
        };

    [Fact]
    public void Each_registration_says_how_it_came_about_and_until_when()
    {
        var rows = new[]
        {
            Row(1, RegistrationSource.Encounter, null),
            Row(2, RegistrationSource.Encounter, new DateTime(2027, 2, 21, 5, 0, 0, DateTimeKind.Utc)),
            Row(3, RegistrationSource.Administrator, Nehr.Core.NehrCalendar.EndOfDayUtc(new DateOnly(2027, 11, 24)), confirmed: false) with { IsDeceased = true, DateOfDeath = new DateOnly(2026, 10, 1) },
        };
        var table = Render<RegistrationTable>(p => p.Add(t => t.Page, new RegistrationPage(rows, 1, 25, 3)));

        Assert.Equal(["From a visit", "From a visit", "By your administrator"],
            table.FindAll("[data-testid=registration-how]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["While the visit is under way", "21 Feb 2027", "24 Nov 2027"],
            table.FindAll("[data-testid=registration-until]").Select(c => c.TextContent.Trim()));
        var rowsShown = table.FindAll("[data-testid=registration-row]");
        Assert.Null(rowsShown[0].QuerySelector("[data-testid=unconfirmed-marker]"));
        Assert.Equal("Demographics not yet confirmed", rowsShown[2].QuerySelector("[data-testid=unconfirmed-marker]")!.TextContent.Trim());
        Assert.Null(rowsShown[0].QuerySelector("[data-testid=deceased-marker]"));
        Assert.Equal("Deceased (1 Oct 2026)", rowsShown[2].QuerySelector("[data-testid=deceased-marker]")!.TextContent.Trim());
        Assert.Contains("24 Nov 2026, 10:00", rowsShown[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Ending_a_registration_reports_its_row()
    {
        RegistrationRow? ended = null;
        var table = Render<RegistrationTable>(p => p
            .Add(t => t.Page, new RegistrationPage([Row(7, RegistrationSource.Administrator, null)], 1, 25, 1))
            .Add(t => t.End, r => ended = r));

        table.Find("button[aria-label='End registration of Patient 7']").Click();

        Assert.Equal(7, ended!.Id);
    }

    [Fact]
    public void No_registration_says_so()
    {
        var table = Render<RegistrationTable>(p => p.Add(t => t.Page, new RegistrationPage([], 1, 25, 0)));

        Assert.NotNull(table.Find("[data-testid=registrations-empty]"));
    }
}

public class RegistrationEndDateTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);

    [Theory]
    [InlineData(null, "Choose the last day of the registration")]
    [InlineData("2026-11-24", "must end after today")]
    [InlineData("2026-01-01", "must end after today")]
    [InlineData("2027-11-25", "at most a year: choose a day until 24 Nov 2027")]
    [InlineData("2031-11-24", "at most a year: choose a day until 24 Nov 2027")]
    public void No_end_date_or_one_not_after_today_or_more_than_a_year_ahead_is_refused(string? day, string expected)
    {
        DateTime? endsOn = day is null ? null : DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Contains(expected, Nehr.Portal.Components.Pages.Admin.Provider.Registrations.EndDateError(endsOn, Today), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-25")]
    [InlineData("2027-11-24")]
    public void The_first_and_last_days_allowed_are_accepted(string day)
    {
        Assert.Null(Nehr.Portal.Components.Pages.Admin.Provider.Registrations.EndDateError(DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture), Today));
    }
}

public class ComplianceTablesTests : MudTestContext
{
    private static readonly DateTime At = new(2026, 11, 24, 17, 30, 0, DateTimeKind.Utc);

    private static ComplianceRow Provider(string code, ProviderType type, bool licensed, DateTime? last, int requests = 0, int refused = 0,
        params SystemCompliance[] systems) =>
        new(code.Length, code, $"Provider {code}", type, licensed, OnboardingState.Onboarded, false, last, 1234)
        {
            RequestsLast30Days = requests,
            RefusedLast30Days = refused,
            Systems = systems,
        };

    [Fact]
    public void Each_provider_shows_its_refusal_rate_with_the_counts()
    {
        var table = Render<ComplianceTable>(p => p.Add(t => t.Rows,
        [
            Provider("CGH01", ProviderType.PublicHospital, true, At, requests: 8, refused: 1),
            Provider("NSP01", ProviderType.Polyclinic, true, At, requests: 3, refused: 3),
            Provider("EVD01", ProviderType.Dental, true, null),
        ]));

        Assert.Equal(["12.5% (1 of 8 requests)", "100% (3 of 3 requests)", "No requests"],
            table.FindAll("[data-testid=refusal-rate]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["25 Nov 2026", "25 Nov 2026", "never"], table.FindAll("[data-testid=last-contribution]").Select(c => c.TextContent.Trim()));
        Assert.Equal("1,234", table.Find("[data-testid=resources-30-days]").TextContent.Trim());
        Assert.Equal("Has never contributed", table.FindAll("[data-testid=compliance-state]")[2].TextContent.Trim());
    }

    [Fact]
    public void The_population_register_is_never_a_provider_that_has_not_contributed()
    {
        // Even marked licensed, the keeper of the population register contributes persons, not clinical data.
        var register = Provider("ICA01", ProviderType.PopulationRegister, true, null, requests: 2, refused: 1);

        Assert.False(register.NotContributing);
        var table = Render<ComplianceTable>(p => p.Add(t => t.Rows, [register]));
        Assert.Equal("Population register (not a healthcare provider)", table.Find("[data-testid=compliance-state]").TextContent.Trim());
        Assert.DoesNotContain("contributed", table.Find("[data-testid=compliance-state]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_system_shows_its_kind_last_good_contribution_refusals_and_last_refusal()
    {
        var rows = new[]
        {
            Provider("CGH01", ProviderType.PublicHospital, true, At, 5, 1,
                new SystemCompliance(1, "CGH EMR", SystemKind.ProviderFeed, ConnectionState.Approved, At, 5, 1, At.AddHours(-1),
                    "Bundle.entry[2].resource.birthDate: disagrees with the person register\nBundle.entry[3]: unknown patient")),
            Provider("ICA01", ProviderType.PopulationRegister, false, null, 0, 0,
                new SystemCompliance(2, "Register feed", SystemKind.PopulationRegister, ConnectionState.Approved, null, 0, 0, null, null)),
        };

        var table = Render<SystemComplianceTable>(p => p.Add(t => t.Rows, rows));

        Assert.Equal(["Provider feed", "Population register"], table.FindAll("[data-testid=system-kind]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["25 Nov 2026, 01:30", "never"], table.FindAll("[data-testid=system-last-good]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["20% (1 of 5 requests)", "No requests"], table.FindAll("[data-testid=system-refused]").Select(c => c.TextContent.Trim()));
        var last = table.FindAll("[data-testid=system-last-refusal]");
        Assert.Equal("25 Nov 2026, 00:30", last[0].QuerySelector("summary")!.TextContent.Trim());
        Assert.Contains("birthDate: disagrees with the person register", last[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("None", last[1].TextContent.Trim());
    }

    [Fact]
    public void No_system_says_so()
    {
        var table = Render<SystemComplianceTable>(p => p.Add(t => t.Rows, [Provider("EVD01", ProviderType.Dental, true, null)]));

        Assert.NotNull(table.Find("[data-testid=no-systems]"));
    }
}

public class ContributionLogTablesTests : MudTestContext
{
    private static readonly DateTime At = new(2026, 11, 24, 17, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void Refusals_show_when_the_http_status_and_what_the_nehr_answered_per_system()
    {
        var systems = new[]
        {
            new SystemRefusals(1, "Outpatient EMR", SystemKind.ProviderFeed, ConnectionState.Approved,
            [
                new RefusalRow(9, At, ContributionOutcome.Refused, 422, "transaction", 3, 3, "invalid",
                    "Bundle.entry[1].resource.birthDate: disagrees with the person register\nBundle.entry[2]: no subject"),
                new RefusalRow(8, At.AddHours(-2), ContributionOutcome.PartlyAccepted, 200, "batch", 30, 2, "invalid", "Bundle.entry[4]: missing code"),
            ]),
            new SystemRefusals(2, "Laboratory LIS", SystemKind.ProviderFeed, ConnectionState.Approved, []),
        };

        var list = Render<SystemRefusalList>(p => p.Add(l => l.Systems, systems));

        var sections = list.FindAll("[data-testid=system-refusals]");
        Assert.Equal(2, sections.Count);
        Assert.Contains("Outpatient EMR", sections[0].TextContent, StringComparison.Ordinal);
        Assert.Equal(["422", "200"], list.FindAll("[data-testid=refusal-status]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["Refused", "Partly refused: 2 of 30 entries"], list.FindAll("[data-testid=refusal-outcome]").Select(c => c.TextContent.Trim()));
        Assert.Contains("birthDate: disagrees with the person register", list.FindAll("[data-testid=refusal-issues]")[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("25 Nov 2026, 01:30", sections[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("No refused contributions.", sections[1].QuerySelector("[data-testid=no-refusals]")!.TextContent.Trim());
    }

    [Fact]
    public void Identity_mismatches_name_the_field_and_the_nric_as_sent_and_the_provider_only_for_moh()
    {
        var rows = new[]
        {
            new IdentityMismatchRow(2, At, 1, "Central General Hospital", 1, "CGH EMR", "S1234567D", "urn:uuid:7f1c", "birthDate",
                "The birth date disagrees with the person register."),
            new IdentityMismatchRow(1, At.AddDays(-1), 1, "Central General Hospital", 1, "CGH EMR", null, null, "identifier",
                "The Patient names two NRIC/FINs."),
        };

        var own = Render<IdentityMismatchTable>(p => p.Add(t => t.Rows, rows));
        Assert.DoesNotContain("Central General Hospital", own.Markup, StringComparison.Ordinal);
        var first = own.FindAll("[data-testid=mismatch-row]")[0].Children.Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("25 Nov 2026, 01:30", first[0]);
        Assert.Equal("CGH EMR", first[1]);
        Assert.StartsWith("S1234567D", first[2], StringComparison.Ordinal);
        Assert.Equal("birthDate", first[3]);
        Assert.Equal("The birth date disagrees with the person register.", first[4]);
        Assert.Equal("none sent", own.FindAll("[data-testid=mismatch-row]")[1].Children[2].TextContent.Trim());

        var moh = Render<IdentityMismatchTable>(p => p.Add(t => t.Rows, rows).Add(t => t.ShowProvider, true));
        Assert.Equal("Central General Hospital", moh.FindAll("[data-testid=mismatch-row]")[0].Children[1].TextContent.Trim());
    }

    [Fact]
    public void No_mismatch_says_so()
    {
        var table = Render<IdentityMismatchTable>(p => p.Add(t => t.Rows, []));

        Assert.NotNull(table.Find("[data-testid=no-mismatches]"));
    }
}
