using Microsoft.Playwright;

namespace Nehr.Browser.Tests.Pages;

/// <summary>The clinician area: patient lookup, the record, the emergency override dialog.</summary>
public sealed class ClinicianPages(IPage page)
{
    public IPage Page => page;

    public ILocator Nric => page.GetByLabel("NRIC / FIN");

    public ILocator OpenRecordButton => page.GetByRole(AriaRole.Button, new() { Name = "Open record" });

    public ILocator LookupMessage => page.GetByTestId("lookup-message");

    public ILocator PatientName => page.GetByTestId("record-patient-name");

    public ILocator RestrictedBanner => page.GetByTestId("restricted-banner");

    public ILocator OverrideBanner => page.GetByTestId("override-banner");

    public ILocator DeniedBanner => page.GetByTestId("denied-banner");

    public ILocator AllergyPanel => page.GetByTestId("allergy-panel");

    public ILocator Tabs => page.GetByRole(AriaRole.Tab);

    public ILocator Tab(string name) => page.GetByRole(AriaRole.Tab, new() { Name = name });

    /// <summary>A tab by the start of its name (tabs end with a count, e.g. "Diagnoses (4)").</summary>
    public ILocator TabStartingWith(string name) => page.GetByRole(AriaRole.Tab, new() { NameRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(name)) });

    public ILocator EmergencyOverrideButton => page.GetByRole(AriaRole.Button, new() { Name = "Emergency override" });

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public ILocator EndOverrideButton => page.GetByRole(AriaRole.Button, new() { Name = "End override now" });

    public ILocator DiscardQuestion => Dialog.GetByTestId("discard-question");

    /// <summary>The tabs of the parts of a restricted record the clinician may not see.</summary>
    public ILocator WithheldTabs => page.GetByRole(AriaRole.Tab, new() { NameRegex = new System.Text.RegularExpressions.Regex(@"\(withheld\)$") });

    public ILocator PurposeOfUse => page.GetByLabel("Purpose of use");

    public ILocator RefreshButton => page.GetByRole(AriaRole.Button, new() { Name = "Refresh" });

    public async Task FindAsync(string nric, string? purpose = null)
    {
        await page.GotoAsync("/clinician");
        await Nric.FillAsync(nric);
        if (purpose is not null)
        {
            await PurposeOfUse.SelectOptionAsync(new SelectOptionValue { Label = purpose });
        }

        await OpenRecordButton.ClickAsync();
    }

    public async Task FillOverrideAsync(string reason, string justification, bool attest)
    {
        await Dialog.GetByLabel("Reason").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = reason }).ClickAsync();
        // The list closes on the server's answer to the pick; then the justification, and it must hold what was typed.
        await Assertions.Expect(page.GetByRole(AriaRole.Listbox)).ToHaveCountAsync(0);
        var box = Dialog.GetByLabel("Justification");
        await box.FillAsync(justification);
        await Assertions.Expect(box).ToHaveValueAsync(justification);
        if (attest)
        {
            await Dialog.GetByLabel("I understand that emergency overrides are audited and that misuse is penalised.").CheckAsync();
        }
    }

    public Task SubmitOverrideAsync() =>
        Dialog.GetByRole(AriaRole.Button, new() { Name = "Override and show full record" }).ClickAsync();
}
