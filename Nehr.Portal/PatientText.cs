namespace Nehr.Portal;

/// <summary>
/// The patient area's words (Resources/PatientText.*.resx): English, 简体中文, Bahasa Melayu and தமிழ். The English text
/// is the key; clinical content stays as contributed and is never translated.
/// </summary>
public sealed class PatientText;
