// What the widget needs to check a number as the visitor types, per country: the dial
// code, the possible lengths and an example, from libphonenumber's metadata (the same
// Google metadata the widget function reads with `phonenumbers`). Loaded with the
// preview only.
import { Metadata, getCountryCallingCode, getExampleNumber, isSupportedCountry, type CountryCode } from "libphonenumber-js/min";
import examples from "libphonenumber-js/mobile/examples";
import type { CountryChoice } from "./preview";

export function countryChoices(codes: string[]): CountryChoice[] {
  const out: CountryChoice[] = [];
  for (const raw of codes) {
    const code = raw.toUpperCase();
    if (!isSupportedCountry(code)) continue;
    const metadata = new Metadata();
    metadata.selectNumberingPlan(code as CountryCode);
    const example = getExampleNumber(code as CountryCode, examples);
    const lengths = metadata.numberingPlan?.possibleLengths() ?? [];
    if (!example || lengths.length === 0) continue;
    out.push({ code, dial: String(getCountryCallingCode(code as CountryCode)), lengths: [...lengths].sort((a, b) => a - b), example: String(example.nationalNumber) });
  }
  return out;
}
