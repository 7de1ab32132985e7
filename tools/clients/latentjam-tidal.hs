-- latentjam from Haskell: TidalCycles plays it, hosc (the OSC library Tidal is built on) talks to it.
--
--   runghc tools/clients/latentjam-tidal.hs        (Debian: libghc-tidal-dev brings ghc and hosc)
--
-- LATENTJAM_HOST and LATENTJAM_PORT pick the daemon (default 127.0.0.1:9000). It makes a kick,
-- labels it, prompts it, triggers it and reads the example list, printing each reply, then plays
-- a Tidal pattern of kicks and snares for two seconds through a Tidal OSC target. Exits 1 when a
-- step is not answered /done.
-- In a Tidal editor, load BootTidal-latentjam.hs (next to this file) instead.
{-# LANGUAGE OverloadedStrings #-}
import Control.Concurrent (threadDelay)
import Control.Monad (unless)
import Data.List (intercalate, isSuffixOf)
import Data.Maybe (fromMaybe)
import System.Environment (lookupEnv)
import System.Exit (exitFailure)
import qualified Sound.OSC.FD as O
import Sound.Tidal.Context

-- A Tidal target for latentjam: each event of a pattern becomes /jam/trigger s:VOICE f:VELOCITY,
-- sent a little ahead of time in a timetagged bundle (latentjam holds it until it is due).
latentjamTarget :: String -> Int -> Target
latentjamTarget host port = Target
  { oName = "latentjam", oAddress = host, oPort = port, oBusPort = Nothing
  , oLatency = 0.1, oWindow = Nothing, oSchedule = Live, oHandshake = False }

latentjamTrigger :: OSC
latentjamTrigger = OSC "/jam/trigger" $ ArgList [("s", Nothing), ("velocity", Just $ VF 1)]
-- so `s` names the voice (kick, snare, hat, loop) as it names a sample for SuperDirt, and
-- `velocity` (0..1, default 1) is its level.

-- One argument as text, the way the daemon's replies read best.
showDatum :: O.Datum -> String
showDatum (O.ASCII_String s) = O.ascii_to_string s
showDatum (O.Int32 i) = show i
showDatum (O.Float f) = show f
showDatum d = show d

-- Sends a message and waits (at most 5 s) for its answer: /done ADDRESS ..., /fail ADDRESS REASON,
-- or ADDRESS.reply. Other messages (pushes to subscribers) are skipped.
ask :: O.UDP -> String -> [O.Datum] -> IO (Maybe O.Message)
ask jam address arguments = do
  O.sendMessage jam (O.Message address arguments)
  let wait :: Int -> IO (Maybe O.Message)
      wait 0 = return Nothing
      wait n = do
        packet <- O.recvPacketTimeout 0.1 jam
        case packet >>= O.packet_to_message of
          Just m@(O.Message a (O.ASCII_String s : _))
            | a `elem` ["/done", "/fail"] && O.ascii_to_string s == address -> return (Just m)
          Just m@(O.Message a _) | a == address ++ ".reply" -> return (Just m)
          _ -> wait (n - 1)
  answer <- wait 50
  putStrLn $ "latentjam reply: " ++ maybe ("timeout " ++ address) render answer
  return answer
  where render (O.Message a ds) = unwords (a : map showDatum ds)

isDone :: Maybe O.Message -> Bool
isDone (Just (O.Message a _)) = a == "/done" || ".reply" `isSuffixOf` a
isDone Nothing = False

main :: IO ()
main = do
  host <- fromMaybe "127.0.0.1" <$> lookupEnv "LATENTJAM_HOST"
  port <- maybe 9000 read <$> lookupEnv "LATENTJAM_PORT"
  -- A connected UDP socket: what it sends comes from its port, so the replies come back to it.
  jam <- O.openUDP host port
  answers <- sequence
    [ ask jam "/jam/random" [O.string "kick"]
    , ask jam "/jam/label" [O.string "boomy deep", O.string "kick"]
    , ask jam "/jam/prompt" [O.string "boomy", O.string "kick"]
    , ask jam "/jam/trigger" [O.string "kick", O.float (1.0 :: Double)]
    , ask jam "/jam/examples" [O.string "kick"]
    , ask jam "/jam/random" [O.string "snare"]  -- a snare for the pattern below
    ]
  O.close jam
  -- Tidal plays the voices: four kicks and two snares a cycle, for two seconds.
  -- (Control listening off, so this does not take Tidal's port 6010 from an editor's Tidal.)
  tidal <- startStream (defaultConfig {cCtrlListen = False, cVerbose = False})
                       [(latentjamTarget host port, [latentjamTrigger])]
  streamReplace tidal 1 $ s "kick*4" # velocity 0.9
  streamReplace tidal 2 $ s "~ snare ~ snare" # velocity "0.7"
  threadDelay 2000000  -- about one cycle at Tidal's default tempo (0.5625 cycles per second)
  streamHush tidal
  putStrLn $ "latentjam: " ++ intercalate ", " [if isDone a then "done" else "FAILED" | a <- answers]
  unless (all isDone answers) exitFailure
