namespace OrleansImaging.Dicom.Formatting;

/// <summary>The names the dump prints for tags and UIDs, from the data dictionary and UID registry.</summary>
internal static class DicomAttributeNames
{
    /// <summary>
    /// The tag's keyword (a private tag's from the private dictionary, by its creator in
    /// <paramref name="owner"/>), or dcmdump's "Unknown Tag &amp; Data" when there is none.
    /// </summary>
    public static string Keyword(DicomTag tag, DicomDataset owner)
    {
        if (tag.IsGroupLength && !(DicomDictionary.Default.TryGetEntry(tag, out var lengthEntry) && lengthEntry.Keyword.Length > 0 && lengthEntry.Tag == tag))
            return "GenericGroupLength";
        if (tag.IsPrivateCreator)
            return "PrivateCreator";
        if (tag.PrivateCreatorTag is { } creatorTag)
        {
            return owner.TryGetAttribute(creatorTag, out var attribute) && attribute is DicomElement { IsLoaded: true } creator
                && DicomDictionary.Default.TryGetPrivateEntry(creator.GetText(owner.CharacterSet), tag, out var privateEntry)
                && privateEntry.Keyword.Length > 0
                ? privateEntry.Keyword
                : "Unknown Tag & Data";
        }
        if (!DicomDictionary.Default.TryGetEntry(tag, out var entry) || entry.Keyword.Length == 0)
            return "Unknown Tag & Data";
        // dcmdump marks retired attributes the same way.
        return entry.IsRetired ? "RETIRED_" + entry.Keyword : entry.Keyword;
    }

    /// <summary>The registered keyword of a UID (e.g. CTImageStorage), or null.</summary>
    public static string? UidKeyword(string uid) =>
        DicomUid.TryLookup(uid, out var registered) && registered.Keyword.Length > 0 ? registered.Keyword : null;
}
