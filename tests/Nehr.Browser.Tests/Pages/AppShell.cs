using Microsoft.Playwright;

namespace Nehr.Browser.Tests.Pages;

/// <summary>The portal's frame: app bar, navigation, page heading.</summary>
public sealed class AppShell(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator SignedInAs => page.GetByTestId("signed-in-as");

    public ILocator SignOutButton => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" });

    public ILocator Navigation => page.GetByRole(AriaRole.Navigation);

    public ILocator ToggleNavigation => page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });

    public string Path => new Uri(page.Url).AbsolutePath;
}
