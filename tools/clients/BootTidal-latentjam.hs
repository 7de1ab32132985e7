-- BootTidal for latentjam: load it in your Tidal editor in place of BootTidal.hs (Pulsar/Atom
-- "Boot Tidal Path", VS Code "tidalcycles.bootTidalPath", vim-tidal g:tidal_boot) or by hand with
-- `ghci -ghci-script tools/clients/BootTidal-latentjam.hs`. Debian: libghc-tidal-dev.
--
-- Patterns trigger latentjam's voices (d1 $ s "kick*4" # velocity 0.8), and a few functions talk
-- to it and print its answer: jamRandom "kick", jamLabel "boomy deep" "kick",
-- jamPrompt "boomy" "kick", jamVary "crunchy" 0.5 "kick", jamHit "kick" 1, jamExamples "kick",
-- jamWords "kick", jamUndo. Any other address: jamAsk "/jam/tempo" [O.float 96].
-- LATENTJAM_HOST and LATENTJAM_PORT pick the daemon (default 127.0.0.1:9000).
-- To play SuperDirt as well, add (superdirtTarget, [superdirtShape]) to startStream's list.
:set -XOverloadedStrings
:set prompt ""

import Sound.Tidal.Context
import qualified Sound.OSC.FD as O
import Control.Concurrent (threadDelay)
import System.Environment (lookupEnv)
import System.IO (hSetEncoding, stdout, utf8)

hSetEncoding stdout utf8

jamHost <- maybe "127.0.0.1" id <$> lookupEnv "LATENTJAM_HOST"
jamPort <- maybe 9000 read <$> lookupEnv "LATENTJAM_PORT" :: IO Int

-- Each event becomes /jam/trigger s:VOICE f:VELOCITY in a bundle timetagged 0.1 s ahead, which
-- latentjam holds until it is due: `s` names the voice, `velocity` (0..1, default 1) its level.
:{
jamTarget = Target { oName = "latentjam", oAddress = jamHost, oPort = jamPort, oBusPort = Nothing
                   , oLatency = 0.1, oWindow = Nothing, oSchedule = Live, oHandshake = False }
jamShape = OSC "/jam/trigger" $ ArgList [("s", Nothing), ("velocity", Just $ VF 1)]
:}

-- Control listening off: it would take port 6010, which another Tidal may hold.
tidal <- startStream (defaultConfig {cCtrlListen = False}) [(jamTarget, [jamShape])]

:{
let p = streamReplace tidal
    hush = streamHush tidal
    once = streamOnce tidal
    setcps = asap . cps
    asap = once
    d1 = p 1
    d2 = p 2
    d3 = p 3
    d4 = p 4
:}

-- Request and reply: a UDP socket connected to latentjam, so its answers come back to it.
jam <- O.openUDP jamHost jamPort

:{
let jamShow (O.ASCII_String x) = O.ascii_to_string x
    jamShow (O.Int32 i) = show i
    jamShow (O.Float f) = show f
    jamShow d = show d
    -- Sends and waits at most 5 s for /done ADDRESS, /fail ADDRESS or ADDRESS.reply (pushes are skipped).
    jamAsk address arguments = do
      O.sendMessage jam (O.Message address arguments)
      let wait :: Int -> IO (Maybe O.Message)
          wait 0 = return Nothing
          wait n = do
            packet <- O.recvPacketTimeout 0.1 jam
            case packet >>= O.packet_to_message of
              Just m@(O.Message a (O.ASCII_String x : _))
                | a `elem` ["/done", "/fail"] && O.ascii_to_string x == address -> return (Just m)
              Just m@(O.Message a _) | a == address ++ ".reply" -> return (Just m)
              _ -> wait (n - 1)
      answer <- wait 50
      putStrLn $ "latentjam reply: " ++ maybe ("timeout " ++ address) (\(O.Message a ds) -> unwords (a : map jamShow ds)) answer
    jamRandom voice = jamAsk "/jam/random" [O.string voice]
    jamLabel text voice = jamAsk "/jam/label" [O.string text, O.string voice]
    jamPrompt text voice = jamAsk "/jam/prompt" [O.string text, O.string voice]
    jamVary text amount voice = jamAsk "/jam/vary" [O.string text, O.float (amount :: Double), O.string voice]
    jamHit voice velocity = jamAsk "/jam/trigger" [O.string voice, O.float (velocity :: Double)]
    jamExamples voice = jamAsk "/jam/examples" [O.string voice]
    jamWords voice = jamAsk "/jam/words" [O.string voice]
    jamUndo = jamAsk "/jam/undo" []
:}

:set prompt "tidal> "
