using Microsoft.AspNetCore.Components;

namespace Nehr.Portal.Components.Shared;

/// <summary>
/// A MudBlazor icon (its SVG path, e.g. <c>Icons.Material.Filled.Menu</c>) as plain markup, for places on every page
/// where a MudIcon component would only add to what each circuit keeps in memory.
/// </summary>
public static class Glyph
{
    public const string Medium = "mud-icon-root mud-svg-icon mud-icon-size-medium";

    public static RenderFragment Svg(string icon, string cssClass = Medium) => builder =>
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", cssClass);
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddMarkupContent(5, icon);
        builder.CloseElement();
    };
}
