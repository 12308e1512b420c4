using System.Reflection;
using System.Text.RegularExpressions;

namespace Nehr.Portal.Tests;

/// <summary>
/// Pages that write MudBlazor's markup instead of its components (docs/style.md) depend on its class names, which
/// the compiler does not check: every <c>mud-*</c> class the portal writes must be one MudBlazor's shipped stylesheet
/// styles, so an upgrade that renames a class fails here instead of unstyling a page.
/// </summary>
public sealed partial class MudClassTests
{
    [Fact]
    public void Every_mud_class_the_portal_writes_is_in_the_shipped_mudblazor_stylesheet()
    {
        var styled = StyledClasses();
        var used = UsedClasses();

        Assert.NotEmpty(used);
        var missing = used
            .Where(u => u.Class.EndsWith('-') ? !styled.Any(s => s.StartsWith(u.Class, StringComparison.Ordinal)) : !styled.Contains(u.Class))
            .Select(u => $"{u.Class} ({u.File})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "Not in MudBlazor's stylesheet: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_check_reads_the_stylesheet_and_would_see_a_renamed_class()
    {
        var styled = StyledClasses();

        Assert.Contains("mud-table-root", styled);
        Assert.Contains("mud-chip-color-warning", styled);
        Assert.DoesNotContain("mud-button-outlined-size-medium", styled); // emitted by MudBlazor, styled by nobody
    }

    private static HashSet<string> StyledClasses()
    {
        var path = typeof(MudClassTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "MudBlazorStylesheet").Value!;
        return StyledClass().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Every <c>mud-</c> class in the portal's markup, styles and code (not the <c>--mud-</c> variables); one built
    /// with an interpolation (<c>mud-chip-color-{color}</c>) counts as its prefix, which some styled class must start with.
    /// </summary>
    private static List<(string Class, string File)> UsedClasses()
    {
        var portal = Path.Combine(RepositoryRoot(), "Nehr.Portal");
        return Directory.EnumerateFiles(portal, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".css", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => UsedClass().Matches(File.ReadAllText(f)).Select(m => (m.Value, Path.GetRelativePath(portal, f))))
            .ToList();
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Nehr.Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: Nehr.Portal.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\.(mud-[a-z0-9-]+)")]
    private static partial Regex StyledClass();

    [GeneratedRegex(@"(?<![-\w.])mud-[a-z0-9-]+")]
    private static partial Regex UsedClass();
}
