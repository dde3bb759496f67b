package generator

import (
	"slices"
	"strings"

	"golang.org/x/text/currency"
)

// currencyList says where the currency codes come from, in a $comment next
// to every enum of them.
const currencyList = "The lowercase ISO 4217 codes, current and historical, as golang.org/x/text/currency lists them (CLDR " + currency.CLDRVersion + "): an object created before its currency was replaced keeps the old code."

// currencyCodes returns the lowercase ISO 4217 codes a "Three-letter ISO
// currency code, in lowercase" may take: every unit golang.org/x/text/currency
// knows, tender or not (xag, xau, xts), current or historical (a charge made
// in hrk before 2023 still says hrk), sorted.
func currencyCodes() []string {
	var codes []string
	for it := currency.Query(currency.Historical, currency.NonTender); it.Next(); {
		codes = append(codes, strings.ToLower(it.Unit().String()))
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}
