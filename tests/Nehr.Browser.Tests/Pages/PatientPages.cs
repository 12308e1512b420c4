using Microsoft.Playwright;

namespace Nehr.Browser.Tests.Pages;

/// <summary>The patient area (static pages, plain forms): access settings, access history, notifications.</summary>
public sealed class PatientPages(IPage page)
{
    public ILocator Mode(string modeName) => page.GetByTestId($"mode-{modeName}");

    public ILocator ProviderSearch => page.GetByLabel("Find a provider to add (name or code)");

    public ILocator SaveButton => page.GetByRole(AriaRole.Button, new() { Name = "Save my choice" });

    public ILocator HistoryRows => page.GetByTestId("history-row");

    public ILocator NoticeBadge => page.GetByTestId("notice-badge");

    public async Task AllowOnlyAsync(string providerName)
    {
        await page.GotoAsync("/patient/access");
        await Mode("AllowSelectedProviders").ClickAsync();
        await ProviderSearch.FillAsync(providerName.Split(' ')[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByTestId("search-results").GetByRole(AriaRole.Checkbox, new() { NameRegex = new System.Text.RegularExpressions.Regex("^" + providerName) }).CheckAsync();
        await SaveAndConfirmAsync();
    }

    /// <summary>On the access settings page as it is: choose a mode, save, confirm.</summary>
    public async Task ChooseAndSaveAsync(string modeName)
    {
        await Mode(modeName).ClickAsync();
        await SaveAndConfirmAsync();
    }

    private async Task SaveAndConfirmAsync()
    {
        await SaveButton.ClickAsync();
        await page.GetByTestId("confirm-settings").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
    }
}
