using Microsoft.Extensions.Localization;
using Nehr.Core;

namespace Nehr.Portal.Components.Patient;

/// <summary>
/// What Nehr.Core wrote for a patient (a notice, a refusal, why a relationship allows nothing now), shown in the
/// language of the request through the localizer of Core's own texts (<see cref="PatientWords"/>).
/// </summary>
public static class CoreText
{
    public static string Show(this IStringLocalizer<PatientWords> words, PatientMessage text)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(text);
        return text.Render(english => words[english].Value);
    }

    /// <summary>A refusal: its text in the reader's language; a message Core wrote in English only is looked up as a key, else shown as it is.</summary>
    public static string Show(this IStringLocalizer<PatientWords> words, DomainException refusal)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Text is { } text ? words.Show(text) : words[refusal.Message].Value;
    }

    /// <summary>A notice in the reader's language (one kept in English only, from before notices kept a key, as it was written).</summary>
    public static string Show(this IStringLocalizer<PatientWords> words, Nehr.Core.Notifications.PatientNotice notice)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(notice);
        return notice.Show(english => words[english].Value);
    }
}
