/** tilltap's library surface: the decoder and its layers. */
export { decodeBuffer, ReceiptDecoder, sniffDialect, type DecodeOptions } from './receipt/decoder.js';
export type { DecodeResult, Receipt, ReceiptItem, StatusRecord } from './receipt/receipt.js';
export { Segmenter } from './receipt/segmenter.js';
export { Tokenizer, tokenize, type Token } from './escpos/tokenizer.js';
export { Interpreter } from './escpos/interpreter.js';
export { EPSON_TABLE, CLONE_TABLE, STAR_LINE_TABLE, type CommandDef, type CommandTable } from './escpos/commands.js';
export type { PrintEvent, PrintedLine, PrintedImage, Barcode, Symbology } from './escpos/events.js';
export { getProfile, allProfiles, PROFILE_NAMES, type ProfileName, type ProfileChoice } from './escpos/profiles.js';
export { EscPosBuilder } from './escpos/builder.js';
export { renderText, renderReceiptText } from './receipt/render/text.js';
export { toJsonDocument, receiptToJson } from './receipt/render/json.js';
export { extractFields } from './receipt/fields/extract.js';
export type { ReceiptFieldSet } from './receipt/fields/types.js';
export { guardText } from './receipt/fields/pan-guard.js';
export { Store } from './store/index.js';
export { Agent } from './agent/agent.js';
export { createDriver } from '../drivers/index.js';
export { HealthMonitor, printVerdict, probePrinter, watchPrinter } from './health/index.js';
