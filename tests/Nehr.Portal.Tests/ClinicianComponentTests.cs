using Nehr.Core;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Nehr.Core.Access;
using Nehr.Core.Records;
using Nehr.Portal.Components.Clinician;
using Nehr.Portal.Components.Record;
using Nehr.Portal.Components.Pages.Clinician;

namespace Nehr.Portal.Tests;

public class RecordBannersTests : MudTestContext
{
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Restricted_record_shows_the_banner_and_the_override_button()
    {
        var requested = false;
        var banners = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted))
            .Add(b => b.NowUtc, Now)
            .Add(b => b.OnOverrideRequested, () => requested = true));

        Assert.Contains("basic set only", banners.Find("[data-testid=restricted-banner]").TextContent, StringComparison.Ordinal);
        banners.Find("button").Click();

        Assert.True(requested);
        Assert.Empty(banners.FindAll("[data-testid=override-banner]"));
    }

    [Theory]
    [InlineData(125 * 60, "2 h 05 min")]
    [InlineData(12 * 60 + 30, "12 min")]
    [InlineData(60, "1 min")]
    [InlineData(30, "less than 1 min")]
    [InlineData(0, "expired")]
    public void Override_banner_shows_the_time_left_to_the_minute(int secondsLeft, string expected)
    {
        var banners = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Full, DecisionReason.EmergencyOverride))
            .Add(b => b.OverrideExpiresAtUtc, Now.AddSeconds(secondsLeft))
            .Add(b => b.NowUtc, Now));

        Assert.Equal($"Time left: {expected}", banners.Find("[data-testid=override-time-left]").TextContent.Trim());
        Assert.DoesNotContain(banners.FindAll("button"), b => b.TextContent.Contains("Emergency override", StringComparison.Ordinal));
    }

    [Fact]
    public void The_override_banner_is_a_status_whose_ticking_time_is_not_announced()
    {
        var banners = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Full, DecisionReason.EmergencyOverride))
            .Add(b => b.OverrideExpiresAtUtc, Now.AddHours(4))
            .Add(b => b.NowUtc, Now));

        var banner = banners.Find("[data-testid=override-banner]");
        Assert.Equal("status", banner.GetAttribute("role"));
        Assert.Empty(banners.FindAll("[role=alert]"));
        Assert.Equal("off", banners.Find("[data-testid=override-time-left]").GetAttribute("aria-live"));
        // 08:00 UTC + 4 h = 20:00 in Singapore.
        Assert.Contains("until 24 Nov 2026, 20:00 (Singapore time)", banner.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", banner.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void End_override_now_asks_the_page_to_end_it()
    {
        var asked = 0;
        var banners = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Full, DecisionReason.EmergencyOverride))
            .Add(b => b.OverrideExpiresAtUtc, Now.AddHours(4))
            .Add(b => b.NowUtc, Now)
            .Add(b => b.OnEndOverrideRequested, () => asked++));

        banners.Find("[data-testid=end-override]").Click();

        Assert.Equal(1, asked);
    }

    [Fact]
    public void A_full_record_without_override_has_no_banner()
    {
        var banners = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Full, DecisionReason.NoRestriction))
            .Add(b => b.NowUtc, Now));

        Assert.Empty(banners.FindAll("[role=alert]"));
    }

    private static PatientDemographics Demographics(bool confirmed = true, bool deceased = false, DateOnly? died = null) =>
        new(4, "S1234567D", "Tan Mei Ling", new DateOnly(1960, 3, 1), Sex.Female, Race.NotStated, RestrictionMode.None)
        {
            DemographicsConfirmed = confirmed,
            IsDeceased = deceased,
            DateOfDeath = died,
        };

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public void The_not_confirmed_banner_appears_only_while_the_register_has_not_confirmed_the_demographics(bool confirmed, int banners)
    {
        var rendered = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Full, DecisionReason.NoRestriction))
            .Add(b => b.Patient, Demographics(confirmed))
            .Add(b => b.NowUtc, Now));

        var found = rendered.FindAll("[data-testid=unconfirmed-banner]");
        Assert.Equal(banners, found.Count);
        if (banners == 1)
        {
            Assert.Equal("alert", found[0].GetAttribute("role"));
            Assert.Contains("Demographics not yet confirmed by the population register", found[0].TextContent, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(rendered.FindAll("[role=alert]"));
        }
    }

    [Fact]
    public void A_death_the_register_recorded_is_shown_with_its_date()
    {
        var rendered = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted))
            .Add(b => b.Patient, Demographics(deceased: true, died: new DateOnly(2026, 11, 2)))
            .Add(b => b.NowUtc, Now));

        Assert.Contains("Deceased (2 Nov 2026)", rendered.Find("[data-testid=deceased-banner]").TextContent, StringComparison.Ordinal);
        Assert.Empty(rendered.FindAll("[data-testid=unconfirmed-banner]"));
        Assert.NotNull(rendered.Find("[data-testid=restricted-banner]"));
    }

    [Fact]
    public void A_death_without_a_date_says_so()
    {
        var rendered = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Full, DecisionReason.NoRestriction))
            .Add(b => b.Patient, Demographics(deceased: true))
            .Add(b => b.NowUtc, Now));

        Assert.Contains("Deceased (date of death not recorded)", rendered.Find("[data-testid=deceased-banner]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_explains_itself()
    {
        var banners = Render<RecordBanners>(p => p
            .Add(b => b.Decision, new AccessDecision(AccessLevel.Denied, DecisionReason.PurposeNotCare))
            .Add(b => b.NowUtc, Now));

        Assert.Contains("only be used for patient care", banners.Find("[data-testid=denied-banner]").TextContent, StringComparison.Ordinal);
        Assert.Empty(banners.FindAll("button"));
    }
}

public class FoundPatientCardTests : MudTestContext
{
    private static FoundPatient Found(bool confirmed, bool deceased = false) =>
        new(4, "S1234567D", "Tan Mei Ling", new DateOnly(1960, 3, 1), Sex.Female)
        {
            DemographicsConfirmed = confirmed,
            IsDeceased = deceased,
            DateOfDeath = deceased ? new DateOnly(2026, 11, 2) : null,
        };

    [Fact]
    public void A_patient_enrolled_by_a_provider_is_shown_with_the_banner_before_the_record_opens()
    {
        var card = Render<FoundPatientCard>(p => p
            .Add(c => c.Patient, Found(confirmed: false))
            .Add(c => c.Href, "/clinician/patients/4?purpose=TREAT"));

        Assert.Equal("Tan Mei Ling", card.Find("[data-testid=found-patient-name]").TextContent);
        Assert.Contains("born 1 Mar 1960", card.Markup, StringComparison.Ordinal);
        Assert.Contains("Demographics not yet confirmed by the population register", card.Find("[data-testid=unconfirmed-banner]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/clinician/patients/4?purpose=TREAT", card.Find("[data-testid=open-found-record]").GetAttribute("href"));
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void Only_unconfirmed_or_deceased_patients_stop_at_the_lookup(bool confirmed, bool deceased, bool stops)
    {
        Assert.Equal(stops, FoundPatientCard.NeedsALook(Found(confirmed, deceased)));
    }

    [Fact]
    public void A_confirmed_deceased_patient_shows_the_death_and_no_unconfirmed_banner()
    {
        var card = Render<FoundPatientCard>(p => p
            .Add(c => c.Patient, Found(confirmed: true, deceased: true))
            .Add(c => c.Href, "/clinician/patients/4?purpose=TREAT"));

        Assert.Contains("Deceased (2 Nov 2026)", card.Find("[data-testid=deceased-banner]").TextContent, StringComparison.Ordinal);
        Assert.Empty(card.FindAll("[data-testid=unconfirmed-banner]"));
    }
}

public class OverrideDialogTests : MudTestContext
{
    private const string Sentence = "Unconscious after a road accident, need the medication list now.";

    /// <summary>4 Jun 2025, 13:12 in Singapore.</summary>
    private static readonly DateTime Now = new(2025, 6, 4, 5, 12, 0, DateTimeKind.Utc);

    private (IRenderedComponent<MudDialogProvider> Provider, Task<IDialogReference> Reference) Show(
        Func<OverrideReason?, string?, bool, Task<EmergencyOverride>> submit, TimeSpan? duration = null)
    {
        var provider = Render<MudDialogProvider>();
        var service = Services.GetService<IDialogService>()!;
        var parameters = new DialogParameters<OverrideDialog>
        {
            { d => d.PatientName, "Muhammad Faizal bin Rahman" },
            { d => d.Duration, duration ?? TimeSpan.FromHours(4) },
            { d => d.NowUtc, Now },
            { d => d.Submit, submit },
        };
        var reference = provider.InvokeAsync(() => service.ShowAsync<OverrideDialog>("Emergency override", parameters,
            new DialogOptions { CloseOnEscapeKey = false }));
        return (provider, reference);
    }

    private static Task<EmergencyOverride> NotSent(OverrideReason? reason, string? justification, bool attested) =>
        Task.FromException<EmergencyOverride>(new InvalidOperationException("not to be sent"));

    [Theory]
    [InlineData(4, "4 hours, until 17:12 (Singapore time)")]
    [InlineData(1, "1 hour, until 14:12 (Singapore time)")]
    [InlineData(120, "5 days, until 9 Jun 2025, 13:12 (Singapore time)")]
    public void The_dialog_states_how_long_the_override_lasts_and_until_when(int hours, string expected)
    {
        var (provider, _) = Show(NotSent, TimeSpan.FromHours(hours));

        var terms = provider.Find("[data-testid=override-terms]").TextContent;
        Assert.Contains($"for {expected}; the patient is told now; MOH will review it.", string.Join(' ', terms.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.DoesNotContain("limited time", terms, StringComparison.Ordinal);
    }

    [Fact]
    public void A_justification_error_clears_as_soon_as_the_text_is_corrected()
    {
        var (provider, _) = Show((_, _, _) => Task.FromException<EmergencyOverride>(new DomainException(new Dictionary<string, string>
        {
            [nameof(OverrideRequest.Justification)] = "The justification looks like filler text: describe the patient's condition and why the full record is needed.",
        })));
        provider.Find("textarea").Input("asdf asdf asdf asdf asdf asdf asdf asdf asdf asdf");
        provider.FindAll("button").Single(b => b.TextContent.Contains("Override and show full record", StringComparison.Ordinal)).Click();
        provider.WaitForAssertion(() => Assert.Contains("looks like filler", provider.Markup, StringComparison.Ordinal));

        provider.Find("textarea").Input(Sentence);

        provider.WaitForAssertion(() => Assert.DoesNotContain("looks like filler", provider.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("so far", provider.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_is_checked_as_typed_once_the_clinician_has_left_it()
    {
        var (provider, _) = Show(NotSent);

        provider.Find("textarea").Input("urgent");
        Assert.DoesNotContain("so far", provider.Markup, StringComparison.Ordinal);
        provider.Find("textarea").Blur();
        provider.WaitForAssertion(() => Assert.Contains("at least 40 characters (6 so far)", provider.Markup, StringComparison.Ordinal));

        provider.Find("textarea").Input("urgent, unconscious");
        provider.WaitForAssertion(() => Assert.Contains("(19 so far)", provider.Markup, StringComparison.Ordinal));
        provider.Find("textarea").Input(Sentence);
        provider.WaitForAssertion(() => Assert.DoesNotContain("so far", provider.Markup, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Escape")]
    [InlineData("Cancel")]
    public async Task Leaving_with_a_typed_justification_asks_first_and_keeps_the_text(string how)
    {
        var (provider, referenceTask) = Show(NotSent);
        provider.Find("textarea").Input(Sentence);

        Leave(provider, how);

        provider.WaitForAssertion(() => Assert.Contains("Discard the justification you typed?", provider.Find("[data-testid=discard-question]").TextContent, StringComparison.Ordinal));
        var reference = await referenceTask;
        Assert.False(reference.Result.IsCompleted);
        provider.FindAll("button").Single(b => b.TextContent.Trim() == "Keep editing").Click();
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=discard-question]")));
        Assert.Equal(Sentence, provider.Find("textarea").GetAttribute("value") ?? provider.Find("textarea").TextContent);
        Assert.False(reference.Result.IsCompleted);

        Leave(provider, how);
        provider.WaitForAssertion(() => provider.FindAll("button").Single(b => b.TextContent.Trim() == "Discard").Click());
        Assert.True((await reference.Result)!.Canceled);
    }

    [Fact]
    public async Task Escape_with_nothing_typed_closes_at_once()
    {
        var (provider, referenceTask) = Show(NotSent);

        Leave(provider, "Escape");

        Assert.True((await (await referenceTask).Result)!.Canceled);
    }

    private static void Leave(IRenderedComponent<MudDialogProvider> provider, string how)
    {
        if (how == "Escape")
        {
            provider.Find("textarea").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        }
        else
        {
            provider.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        }
    }

    [Fact]
    public void Submitting_shows_the_servers_message_under_each_field()
    {
        (OverrideReason?, string?, bool)? sent = null;
        var (provider, _) = Show((reason, justification, attested) =>
        {
            sent = (reason, justification, attested);
            return Task.FromException<EmergencyOverride>(new DomainException(new Dictionary<string, string>
            {
                [nameof(OverrideRequest.Reason)] = "Choose the reason for the emergency override.",
                [nameof(OverrideRequest.Justification)] = "Describe the emergency in at least 40 characters (0 so far).",
                [nameof(OverrideRequest.Attested)] = "Confirm that you understand overrides are audited and misuse is penalised.",
            }));
        });

        provider.FindAll("button").Single(b => b.TextContent.Contains("Override and show full record", StringComparison.Ordinal)).Click();

        Assert.Equal((null, null, false), sent);
        provider.WaitForAssertion(() =>
        {
            Assert.Contains("Choose the reason for the emergency override.", provider.Markup, StringComparison.Ordinal);
            Assert.Contains("at least 40 characters", provider.Markup, StringComparison.Ordinal);
            Assert.Contains("misuse is penalised", provider.Find("[data-testid=attestation-error]").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void What_the_clinician_typed_and_attested_is_sent()
    {
        (OverrideReason?, string?, bool)? sent = null;
        var (provider, _) = Show((reason, justification, attested) =>
        {
            sent = (reason, justification, attested);
            return Task.FromException<EmergencyOverride>(new AccessRefusedException("You already see this patient's full record: no override is needed."));
        });

        provider.Find("textarea").Input("Unconscious after a road accident, need the medication list now.");
        provider.Find("input[type=checkbox]").Change(true);
        provider.FindAll("button").Single(b => b.TextContent.Contains("Override and show full record", StringComparison.Ordinal)).Click();

        Assert.Equal("Unconscious after a road accident, need the medication list now.", sent!.Value.Item2);
        Assert.True(sent.Value.Item3);
        provider.WaitForAssertion(() =>
            Assert.Contains("no override is needed", provider.Find("[data-testid=override-general-error]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_granted_override_closes_the_dialog_with_it()
    {
        var granted = new EmergencyOverride(1, 2, 3, OverrideReason.UnconsciousPatient,
            Justification.Parse("Unconscious after a road accident, need the medication list now."), true, DateTime.UtcNow, TimeSpan.FromHours(4));
        var (provider, referenceTask) = Show((_, _, _) => Task.FromResult(granted));

        provider.FindAll("button").Single(b => b.TextContent.Contains("Override and show full record", StringComparison.Ordinal)).Click();

        var result = await (await referenceTask).Result;
        Assert.False(result!.Canceled);
        Assert.Same(granted, result.Data);
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("textarea")));
    }

    [Fact]
    public async Task Cancel_sends_nothing()
    {
        var called = false;
        var (provider, referenceTask) = Show((_, _, _) =>
        {
            called = true;
            return Task.FromException<EmergencyOverride>(new DomainException("not sent"));
        });

        provider.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        Assert.True((await (await referenceTask).Result)!.Canceled);
        Assert.False(called);
    }
}

public class WithheldTabsTests : MudTestContext
{
    [Fact]
    public void A_restricted_record_shows_the_withheld_parts_as_withheld_with_the_ways_to_get_them()
    {
        var entries = new Dictionary<EntryKind, EntryPage>
        {
            [EntryKind.Allergy] = new(EntryKind.Allergy, 1, 20, 2, []),
            [EntryKind.Vaccination] = new(EntryKind.Vaccination, 1, 20, 0, []),
        };
        var asked = 0;
        EntryKind? chosen = null;

        var tabs = Render<RecordTabs>(p => p
            .Add(t => t.Entries, entries)
            .Add(t => t.Withheld, [EntryKind.Medication, EntryKind.Diagnosis])
            .Add(t => t.ActiveIndex, 2)
            .Add(t => t.TabChanged, ((int Index, EntryKind Kind) t) => chosen = t.Kind)
            .Add(t => t.OnOverrideRequested, () => asked++));

        Assert.Equal(["Allergies (2)", "Vaccinations (0)", "Medications (withheld)", "Diagnoses (withheld)"],
            tabs.FindAll("[role=tab]").Select(b => b.TextContent.Trim()));
        var panel = tabs.Find("[data-testid=withheld-Medication]");
        Assert.Contains("Medications: withheld", panel.TextContent, StringComparison.Ordinal);
        Assert.Contains("patient's consent", panel.TextContent, StringComparison.Ordinal);
        Assert.Contains("emergency override", panel.TextContent, StringComparison.Ordinal);
        panel.QuerySelector("button")!.Click();
        Assert.Equal(1, asked);
        tabs.FindAll("[role=tab]")[3].Click();
        Assert.Equal(EntryKind.Diagnosis, chosen);
    }

    [Fact]
    public void Without_withheld_parts_only_the_readable_kinds_are_tabs()
    {
        var tabs = Render<RecordTabs>(p => p.Add(t => t.Entries, new Dictionary<EntryKind, EntryPage>
        {
            [EntryKind.Medication] = new(EntryKind.Medication, 1, 20, 1, []),
        }));

        Assert.Equal(["Medications (1)"], tabs.FindAll("[role=tab]").Select(b => b.TextContent.Trim()));
        Assert.Empty(tabs.FindAll("[data-testid^=withheld-]"));
    }
}

public class EntryTableTests : MudTestContext
{
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    private static LabResultEntry Lab(string value, AbnormalFlag flag) =>
        new(new EntrySource(1, 7, null, $"LAB-{value}", Now.AddDays(-3), Now.AddDays(-2)), "Potassium", "2823-3", value, "mmol/L", 3.5m, 5.1m, flag);

    [Fact]
    public void Lab_results_show_value_unit_range_flag_and_source()
    {
        var page = new EntryPage(EntryKind.LabResult, 1, 20, 2, [Lab("6.2", AbnormalFlag.High), Lab("4.1", AbnormalFlag.Normal)]);

        var table = Render<EntryTable>(p => p
            .Add(t => t.Page, page)
            .Add(t => t.ProviderNames, new Dictionary<int, string> { [7] = "Island Diagnostics Laboratory" }));

        var values = table.FindAll("[data-testid=lab-value]").Select(v => v.TextContent.Trim()).ToList();
        Assert.Equal(["6.2 mmol/L", "4.1 mmol/L"], values);
        Assert.Contains("3.5–5.1 mmol/L", table.Markup, StringComparison.Ordinal);
        Assert.Single(table.FindAll("[data-testid=abnormal-flag]"));
        Assert.Contains("Island Diagnostics Laboratory", table.Markup, StringComparison.Ordinal);
        Assert.Empty(table.FindAll(".mud-pagination"));
    }

    [Fact]
    public void Long_lists_page_and_report_the_page_chosen()
    {
        var chosen = 0;
        var page = new EntryPage(EntryKind.LabResult, 1, 2, 5, [Lab("6.2", AbnormalFlag.High), Lab("4.1", AbnormalFlag.Normal)]);

        var table = Render<EntryTable>(p => p
            .Add(t => t.Page, page)
            .Add(t => t.PageChanged, (int p) => chosen = p));

        Assert.Contains("5 entries, page 1 of 3", table.Markup, StringComparison.Ordinal);
        table.FindAll(".mud-pagination button").First(b => b.TextContent.Trim() == "3").Click();
        Assert.Equal(3, chosen);
    }

    [Fact]
    public void An_empty_kind_says_so()
    {
        var table = Render<EntryTable>(p => p.Add(t => t.Page, new EntryPage(EntryKind.Diagnosis, 1, 20, 0, [])));

        Assert.Equal("No diagnoses recorded.", table.Find("[data-testid=empty-Diagnosis]").TextContent.Trim());
    }
}

public class RecordTabsTests : MudTestContext
{
    private static EntryPage Empty(EntryKind kind, int total) => new(kind, 1, 20, total, []);

    [Fact]
    public void Tabs_are_in_record_order_with_counts_and_only_the_active_one_is_selected_and_shown()
    {
        var entries = new Dictionary<EntryKind, EntryPage>
        {
            [EntryKind.LabResult] = Empty(EntryKind.LabResult, 0),
            [EntryKind.Allergy] = Empty(EntryKind.Allergy, 3),
            [EntryKind.Vaccination] = Empty(EntryKind.Vaccination, 0),
        };

        var tabs = Render<RecordTabs>(p => p.Add(t => t.Entries, entries).Add(t => t.ActiveIndex, 1));

        var buttons = tabs.FindAll("[role=tab]");
        Assert.Equal(["Allergies (3)", "Vaccinations (0)", "Laboratory results (0)"], buttons.Select(b => b.TextContent.Trim()));
        Assert.Equal(["false", "true", "false"], buttons.Select(b => b.GetAttribute("aria-selected")));
        Assert.Equal(["-1", "0", "-1"], buttons.Select(b => b.GetAttribute("tabindex")));
        var panel = tabs.Find("[role=tabpanel]");
        Assert.Equal(buttons[1].Id, panel.GetAttribute("aria-labelledby"));
        Assert.Equal(panel.Id, buttons[1].GetAttribute("aria-controls"));
        Assert.NotNull(tabs.Find("[data-testid=empty-Vaccination]"));
    }

    [Fact]
    public void Choosing_a_tab_reports_its_index_and_kind()
    {
        (int Index, EntryKind Kind)? chosen = null;
        var entries = new Dictionary<EntryKind, EntryPage>
        {
            [EntryKind.Diagnosis] = Empty(EntryKind.Diagnosis, 1),
            [EntryKind.Allergy] = Empty(EntryKind.Allergy, 1),
            [EntryKind.Medication] = Empty(EntryKind.Medication, 1),
        };

        var tabs = Render<RecordTabs>(p => p
            .Add(t => t.Entries, entries)
            .Add(t => t.TabChanged, ((int Index, EntryKind Kind) t) => chosen = t));
        tabs.FindAll("[role=tab]")[2].Click();

        Assert.Equal((2, EntryKind.Diagnosis), chosen);
    }
}

public class NricAsTypedTests
{
    [Theory]
    [InlineData("", null)]
    [InlineData("S", null)]
    [InlineData("S123", null)]
    [InlineData("S1234567D", null)]
    [InlineData("s1234567d", null)]
    [InlineData("X", "starts with S, T, F, G or M")]
    [InlineData("S12A", "must be digits")]
    [InlineData("S1234567A", "check letter")]
    public void The_nric_field_complains_only_about_what_is_already_wrong(string typed, string? expected)
    {
        var error = ClinicianHome.NricAsTyped(typed);

        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }
}
