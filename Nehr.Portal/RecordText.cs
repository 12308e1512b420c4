namespace Nehr.Portal;

/// <summary>
/// The words of the record's components (EntryTable, AllergyPanel: headings, labels, the source's codes in words) in
/// the patient's language (Resources/RecordText.*.resx: 简体中文, Bahasa Melayu, தமிழ்). The English text is the key.
/// Only the patient's own view asks for them; a clinician's record stays in English. Clinical content (a substance, a
/// value, a unit, a report) is shown as contributed and never translated.
/// </summary>
public sealed class RecordText;
